"""MeasEval TSV (SemEval-2021 Task 8): numeric claims as annotation sets of linked spans.

One tab-separated file with a header line and the MeasEval columns ``docId annotSet annotType
startOffset endOffset annotId text other``; offsets are code-point offsets into the document text,
end exclusive. Each claim is one annotation set (numbered 1, 2, ... per document in text order):

- ``Quantity``: the claim span; ``other`` = {"unit": ..., "mods": [...]}. Modifiers written:
  IsApproximate (``approximate``), IsRange (both ``low`` and ``high``, no point ``value``),
  IsCount (quantity type COUNT). The reader also accepts MeasEval's other modifiers (IsList,
  IsMean, IsMedian, IsMeanHasSD, HasTolerance, IsMeanHasTolerance, IsRangeHasTolerance), which
  have no claim field and are dropped.
- ``MeasuredProperty``: the ``property`` where its text occurs in the claim's sentence (the
  occurrence nearest the quantity): MeasEval properties are spans, ours are free text, so this
  row is often absent. ``other`` = {"HasQuantity": <quantity id>}.
- ``MeasuredEntity``: the ``subject`` entity's span; ``other`` = {"HasProperty": <property id>}
  when the set has a property row, else {"HasQuantity": <quantity id>}.
- ``Qualifier``: the ``time`` (DATE) entity's span; ``other`` = {"Qualifies": <quantity id>}.

MeasEval has no numbers, claim types or entity types, so ``other`` also has a "kotechnews" object
(MeasEval readers ignore unknown keys): on the Quantity row {"value", "low", "high",
"quantity_type", "modality", "property"}, on MeasuredEntity and Qualifier rows {"type"}. A file
without it (a MeasEval system's output) is read with those fields empty; an entity row without a
type takes the type of the reference entity on the same span.

Carried: claim spans and every claim field but ``override_reason``; the subject and time entities
(span, type). Lost: claim ids (read back as q1, q2, ...), entity ids (e1, e2, ... in text order),
canonical ids, entities no claim links to, relations, ``override_reason``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kotechnews import schema
from kotechnews.formats.common import (
    FormatError,
    expect,
    numbered_entities,
    read_text,
    reference_for,
    references_by_id,
    sentence_spans,
)
from kotechnews.jsonio import atomic_write_text
from kotechnews.records import AnnotatedDocument, Claim

COLUMNS = ("docId", "annotSet", "annotType", "startOffset", "endOffset", "annotId", "text", "other")
ANNOT_TYPES = ("Quantity", "MeasuredEntity", "MeasuredProperty", "Qualifier")
MODIFIERS = (
    "IsApproximate",
    "IsCount",
    "IsRange",
    "IsList",
    "IsMean",
    "IsMedian",
    "IsMeanHasSD",
    "HasTolerance",
    "IsMeanHasTolerance",
    "IsRangeHasTolerance",
)
EXTENSION = "kotechnews"
# The claim fields the Quantity row's extension carries: the schema's fields that MeasEval has no
# column for (unit and approximate are MeasEval's; links are rows; override_reason is a note).
QUANTITY_FIELDS = tuple(
    f.name
    for f in schema.CLAIM_FIELDS
    if f.kind != "link" and f.name not in ("unit", "approximate", "override_reason")
)
COUNT_TYPE = "COUNT"
if COUNT_TYPE not in schema.QUANTITY_TYPE_NAMES:
    raise ImportError(
        "kotechnews.formats.measeval: IsCount maps to a quantity type the schema does not have"
    )
TIME_TYPES = schema.CLAIM_LINKS_BY_NAME["claim:time"].tail


def _cell(text: str) -> str:
    """Tabs and line breaks cannot stand in a TSV cell; the reader compares the same way."""
    return " ".join(text.split("\t")).replace("\r", " ").replace("\n", " ")


def modifiers(claim: Claim) -> list[str]:
    mods = []
    if claim.approximate:
        mods.append("IsApproximate")
    if claim.quantity_type == COUNT_TYPE:
        mods.append("IsCount")
    if claim.value is None and claim.low is not None and claim.high is not None:
        mods.append("IsRange")
    return mods


def property_span(doc: AnnotatedDocument, claim: Claim) -> tuple[int, int] | None:
    """The occurrence of the claim's property in its sentence nearest the quantity, if any."""
    if not claim.property:
        return None
    sentence = next(((s, e) for s, e in sentence_spans(doc) if s <= claim.start < e), None)
    if sentence is None:
        return None
    starts, cursor = [], sentence[0]
    while (found := doc.text.find(claim.property, cursor, sentence[1])) != -1:
        if found + len(claim.property) <= claim.start or found >= claim.end:
            starts.append(found)
        cursor = found + 1
    if not starts:
        return None
    start = min(starts, key=lambda s: min(abs(s - claim.end), abs(claim.start - s)))
    return start, start + len(claim.property)


def measeval_rows(records: Iterable[AnnotatedDocument]) -> list[list[str]]:
    rows = []
    for doc in records:
        entities = doc.entities_by_id()
        for number, claim in enumerate(sorted(doc.claims, key=lambda c: (c.start, c.end)), start=1):
            ids = iter(f"T{number}-{k}" for k in range(1, 5))

            def row(annot_type: str, start: int, end: int, other: dict[str, Any]) -> str:
                annot_id = next(ids)
                rows.append(
                    [
                        doc.id,
                        str(number),
                        annot_type,
                        str(start),
                        str(end),
                        annot_id,
                        _cell(doc.text[start:end]),
                        json.dumps(other, ensure_ascii=False),
                    ]
                )
                return annot_id

            other: dict[str, Any] = {}
            if claim.unit is not None:
                other["unit"] = claim.unit
            if mods := modifiers(claim):
                other["mods"] = mods
            other[EXTENSION] = {name: getattr(claim, name) for name in QUANTITY_FIELDS}
            quantity = row("Quantity", claim.start, claim.end, other)
            target = {"HasQuantity": quantity}
            if (found := property_span(doc, claim)) is not None:
                target = {"HasProperty": row("MeasuredProperty", *found, target)}
            for link, annot_type, relation in (
                (claim.subject, "MeasuredEntity", target),
                (claim.time, "Qualifier", {"Qualifies": quantity}),
            ):
                if link is not None and link in entities:
                    entity = entities[link]
                    row(
                        annot_type,
                        entity.start,
                        entity.end,
                        {**relation, EXTENSION: {"type": entity.type}},
                    )
    return rows


def write_measeval(records: Iterable[AnnotatedDocument], path: str | Path) -> None:
    lines = ["\t".join(COLUMNS)] + ["\t".join(row) for row in measeval_rows(records)]
    atomic_write_text(path, "".join(line + "\n" for line in lines))


def _parse_row(line: str, number: int, path, references) -> dict[str, Any]:
    cells = line.split("\t")
    expect(
        len(cells) == len(COLUMNS),
        path,
        f"expected {len(COLUMNS)} tab-separated columns ({' '.join(COLUMNS)}), got {len(cells)}",
        line=number,
    )
    row = dict(zip(COLUMNS, cells))
    doc = reference_for(references, row["docId"], path, line=number, field="docId")
    expect(
        row["annotType"] in ANNOT_TYPES,
        path,
        f"unknown annotType {row['annotType']!r}; allowed: {', '.join(ANNOT_TYPES)}",
        line=number,
        field="annotType",
    )
    for name in ("annotSet", "startOffset", "endOffset"):
        expect(
            row[name].isascii() and row[name].isdigit(),
            path,
            f"expected a non-negative integer, got {row[name]!r}",
            line=number,
            field=name,
        )
        row[name] = int(row[name])
    expect(
        row["startOffset"] < row["endOffset"] <= len(doc.text),
        path,
        f"expected startOffset < endOffset <= {len(doc.text)} (the text length), got "
        f"[{row['startOffset']}:{row['endOffset']}]",
        line=number,
        field="endOffset",
    )
    expect(
        row["text"] == _cell(doc.text[row["startOffset"] : row["endOffset"]]),
        path,
        f"text {row['text']!r} differs from the document text at "
        f"[{row['startOffset']}:{row['endOffset']}]",
        line=number,
        field="text",
    )
    try:
        other = json.loads(row["other"]) if row["other"].strip() else {}
    except (json.JSONDecodeError, RecursionError):
        raise FormatError(path, "expected a JSON object", line=number, field="other") from None
    expect(isinstance(other, dict), path, "expected a JSON object", line=number, field="other")
    extension = other.get(EXTENSION, {})
    expect(
        isinstance(extension, dict),
        path,
        "expected a JSON object",
        line=number,
        field=f"other.{EXTENSION}",
    )
    row.update(other=other, extension=extension, doc=doc, line=number)
    return row


def _claim(rows: list[dict[str, Any]], number: int, path, entity_spans: set) -> tuple:
    """(claim, subject span, time span) of one annotation set."""
    quantities = [row for row in rows if row["annotType"] == "Quantity"]
    where = dict(line=rows[0]["line"], field="annotType")
    expect(
        len(quantities) == 1,
        path,
        f"annotation set {rows[0]['annotSet']} of document "
        f"{rows[0]['docId']!r} has {len(quantities)} Quantity "
        f"rows; expected 1",
        **where,
    )
    quantity = quantities[0]
    ids = {row["annotId"]: row for row in rows}
    other, extension = quantity["other"], quantity["extension"]
    mods = other.get("mods", [])
    expect(
        isinstance(mods, list) and all(m in MODIFIERS for m in mods),
        path,
        f"expected a list of MeasEval modifiers ({', '.join(MODIFIERS)}), got {mods!r}",
        line=quantity["line"],
        field="other.mods",
    )
    unit = other.get("unit")
    expect(
        unit is None or isinstance(unit, str),
        path,
        "expected a string",
        line=quantity["line"],
        field="other.unit",
    )
    unknown = sorted(set(extension) - set(QUANTITY_FIELDS))
    expect(
        not unknown,
        path,
        f"unknown field {unknown[:1]} (allowed: {', '.join(QUANTITY_FIELDS)})",
        line=quantity["line"],
        field=f"other.{EXTENSION}",
    )
    fields = {name: extension.get(name) for name in QUANTITY_FIELDS}
    if EXTENSION not in other and "IsCount" in mods:
        fields["quantity_type"] = COUNT_TYPE
    text = quantity["doc"].text
    properties = [row for row in rows if row["annotType"] == "MeasuredProperty"]
    if fields["property"] is None and properties:
        fields["property"] = text[properties[0]["startOffset"] : properties[0]["endOffset"]]
    claim = Claim(
        id=f"q{number}",
        start=quantity["startOffset"],
        end=quantity["endOffset"],
        text=text[quantity["startOffset"] : quantity["endOffset"]],
        unit=unit,
        approximate="IsApproximate" in mods,
        **fields,
    )
    links: dict[str, tuple[int, int, str] | None] = {"MeasuredEntity": None, "Qualifier": None}
    for row in rows:
        if row["annotType"] not in links:
            continue
        relation = {
            key: row["other"].get(key) for key in ("HasQuantity", "HasProperty", "Qualifies")
        }
        target = next((value for value in relation.values() if value is not None), None)
        expect(
            isinstance(target, str)
            and target in ids
            and ids[target]["annotType"] in ("Quantity", "MeasuredProperty"),
            path,
            f"expected HasQuantity, HasProperty or Qualifies naming a Quantity or "
            f"MeasuredProperty of annotation set {row['annotSet']}, got {relation}",
            line=row["line"],
            field="other",
        )
        expect(
            links[row["annotType"]] is None,
            path,
            f"a second {row['annotType']} in annotation set {row['annotSet']}",
            line=row["line"],
            field="annotType",
        )
        span = (row["startOffset"], row["endOffset"])
        entity_type = row["extension"].get("type")
        if entity_type is None:
            entity_type = next((t for s, e, t in entity_spans if (s, e) == span), None)
        allowed = TIME_TYPES if row["annotType"] == "Qualifier" else schema.ENTITY_TYPE_NAMES
        expect(
            entity_type in allowed,
            path,
            f"expected an entity type ({', '.join(allowed)}) in other.{EXTENSION}.type or a "
            f"reference entity on [{span[0]}:{span[1]}], got {entity_type!r}",
            line=row["line"],
            field=f"other.{EXTENSION}.type",
        )
        links[row["annotType"]] = (*span, entity_type)
    return claim, links["MeasuredEntity"], links["Qualifier"]


def read_measeval(
    path: str | Path, reference: Iterable[AnnotatedDocument]
) -> list[AnnotatedDocument]:
    """Documents with the claims (and their subject and time entities) of a MeasEval file."""
    references = references_by_id(reference)
    lines = read_text(path).split("\n")
    expect(
        tuple(lines[0].rstrip("\r").split("\t")) == COLUMNS,
        path,
        f"expected the header line {' '.join(COLUMNS)}",
        line=1,
    )
    sets: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip():
            row = _parse_row(line.rstrip("\r"), number, path, references)
            sets.setdefault(row["docId"], {}).setdefault(row["annotSet"], []).append(row)
    out = []
    for doc_id, by_set in sets.items():
        doc = references[doc_id]
        known = {(e.start, e.end, e.type) for e in doc.entities}
        claims = [
            _claim(rows, number, path, known)
            for number, (_, rows) in enumerate(sorted(by_set.items()), start=1)
        ]
        spans = {link for _, subject, time in claims for link in (subject, time) if link}
        entities = numbered_entities(spans, doc.text)
        ids = {(e.start, e.end, e.type): e.id for e in entities}
        for claim, subject, time in claims:
            claim.subject = ids[subject] if subject else None
            claim.time = ids[time] if time else None
        out.append(
            AnnotatedDocument(
                id=doc_id,
                text=doc.text,
                entities=entities,
                claims=[claim for claim, _, _ in claims],
            )
        )
    return out
