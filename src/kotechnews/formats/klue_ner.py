"""KLUE-NER TSV: one block per sentence, as KLUE ships ``klue-ner-v1.1_*.tsv``.

Layout (UTF-8)::

    ## <document id>/<sentence index>\\t<sentence with <span:TAG> marks>
    <char>\\t<tag>      one line per character of the sentence, spaces included (tag O or I-)
    ...
    <blank>

Every character is a token, as in KLUE, except whitespace other than the plain space (a line
break or tab inside a sentence would break the line format; the reader skips the same ones).
Tags are KLUE's: ``B-``/``I-`` with PS, LC, OG, DT, TI, QT, and O. The marked sentence on the
``##`` line is for people; the reader goes by the character lines.

Mapping from the KoTechNews schema (``TO_KLUE``; the unmapped types are computed from the schema
in ``UNMAPPED_TYPES``): PER -> PS, LOC -> LC, ORG -> OG, DATE -> DT, and the QUANTITY span of a
numeric claim -> QT. TITLE, PRODUCT, TECH and EVENT have no KLUE counterpart and are written as O.
KLUE's TI (time of day) has no type of its own here: DATE covers dates, times and periods, so the
reader maps both DT and TI to DATE, and the writer never writes TI.

Carried: spans and types of PER/LOC/ORG/DATE entities, spans of numeric claims. Lost: the other
entity types, entity ids and canonical ids, relations, every claim field but the span (read back
as claims q1, q2, ... with span and text only). Not writable: overlapping written spans, a span
across a sentence boundary.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kotechnews import schema
from kotechnews.formats.common import (
    FormatError,
    char_and_tag,
    numbered_entities,
    read_text,
    reference_for,
    references_by_id,
    require_no_overlap,
    require_sentence,
    sentence_spans,
)
from kotechnews.jsonio import atomic_write_text
from kotechnews.records import AnnotatedDocument, Claim

# KLUE-NER's own label set (Park et al. 2021, KLUE), not ours.
KLUE_TYPES: tuple[str, ...] = ("PS", "LC", "OG", "DT", "TI", "QT")
TO_KLUE: dict[str, str] = {
    "PER": "PS",
    "LOC": "LC",
    "ORG": "OG",
    "DATE": "DT",
    schema.QUANTITY.name: "QT",
}
FROM_KLUE: dict[str, str] = {**{klue: ours for ours, klue in TO_KLUE.items()}, "TI": "DATE"}
UNMAPPED_TYPES: list[str] = [name for name in schema.ENTITY_TYPE_NAMES if name not in TO_KLUE]
TAGS = frozenset(["O", *(f"{prefix}-{name}" for name in KLUE_TYPES for prefix in "BI")])

if not (
    set(TO_KLUE) <= set(schema.SPAN_LABEL_NAMES)
    and set(FROM_KLUE) == set(KLUE_TYPES)
    and set(FROM_KLUE.values()) <= set(schema.SPAN_LABEL_NAMES)
):
    raise ImportError(
        "kotechnews.formats.klue_ner: the KLUE mapping names a type the schema does not have"
    )


def _is_token(char: str) -> bool:
    return char == " " or not char.isspace()


def sentence_characters(doc: AnnotatedDocument) -> list[list[int]]:
    text = doc.text or ""
    return [
        [p for p in range(start, end) if _is_token(text[p])] for start, end in sentence_spans(doc)
    ]


def _written_spans(doc: AnnotatedDocument) -> list[tuple[object, str]]:
    spans = [(e, TO_KLUE[e.type]) for e in doc.entities if e.type in TO_KLUE]
    return spans + [(claim, TO_KLUE[schema.QUANTITY.name]) for claim in doc.claims]


def _marked(text: str, start: int, end: int, spans: list[tuple[object, str]]) -> str:
    out, cursor = [], start
    for span, tag in sorted(
        (s for s in spans if start <= s[0].start and s[0].end <= end), key=lambda s: s[0].start
    ):
        out += [text[cursor : span.start], f"<{text[span.start : span.end]}:{tag}>"]
        cursor = span.end
    out.append(text[cursor:end])
    return "".join(out).replace("\t", " ").replace("\n", " ")


def klue_ner_text(records: Iterable[AnnotatedDocument], source: str | Path = "<records>") -> str:
    lines: list[str] = []
    for doc in records:
        spans = _written_spans(doc)
        require_no_overlap(doc, [span for span, _ in spans], source, "KLUE-NER")
        for span, tag in spans:
            require_sentence(doc, span, "claim" if tag == "QT" else "entity", source)
        tags: dict[int, str] = {}
        for span, tag in spans:
            for position in range(span.start, span.end):
                tags[position] = f"{'B' if position == span.start else 'I'}-{tag}"
        for index, ((start, end), positions) in enumerate(
            zip(sentence_spans(doc), sentence_characters(doc))
        ):
            if not positions:
                continue
            lines.append(f"## {doc.id}/{index}\t{_marked(doc.text, start, end, spans)}")
            lines += [f"{doc.text[p]}\t{tags.get(p, 'O')}" for p in positions] + [""]
    return "".join(line + "\n" for line in lines)


def write_klue_ner(records: Iterable[AnnotatedDocument], path: str | Path) -> None:
    atomic_write_text(path, klue_ner_text(records, path))


def _guid(header: str, path, number: int) -> tuple[str, int]:
    guid = header[3:].split("\t", 1)[0].strip()
    doc_id, _, index = guid.rpartition("/")
    if not doc_id or not (index.isascii() and index.isdigit()):
        raise FormatError(
            path,
            f"expected '## <document id>/<sentence index>', got {guid!r}",
            line=number,
            field="guid",
        )
    return doc_id, int(index)


def read_klue_ner(
    path: str | Path, reference: Iterable[AnnotatedDocument]
) -> list[AnnotatedDocument]:
    """Documents with the entities (PER/LOC/ORG/DATE) and claim spans of a KLUE-NER file."""
    references = references_by_id(reference)
    spans: dict[str, list[tuple[int, int, str]]] = {}
    seen: dict[tuple[str, int], int] = {}
    block: list[int] | None = None  # positions of the current sentence not yet read
    block_start, open_span, doc = 0, None, None

    def close() -> None:
        nonlocal open_span
        if open_span:
            spans[doc.id].append(open_span)
        open_span = None

    def end_block(number: int) -> None:
        if block:
            raise FormatError(
                path,
                f"sentence ends {len(block)} character(s) early (block of line {block_start})",
                line=number,
            )
        close()

    lines = read_text(path).split("\n")
    for number, line in enumerate(lines, start=1):
        if line.startswith("## "):
            end_block(number)
            doc_id, index = _guid(line, path, number)
            doc = reference_for(references, doc_id, path, line=number, field="guid")
            if (doc_id, index) in seen:
                raise FormatError(
                    path,
                    f"sentence {doc_id}/{index} again (first on line {seen[doc_id, index]})",
                    line=number,
                    field="guid",
                )
            seen[doc_id, index] = number
            characters = sentence_characters(doc)
            if index >= len(characters):
                raise FormatError(
                    path,
                    f"document {doc_id!r} has {len(characters)} sentences",
                    line=number,
                    field="guid",
                )
            spans.setdefault(doc_id, [])
            block, block_start = list(characters[index]), number
            continue
        if line == "":
            end_block(number)
            block = None
            continue
        if block is None:
            raise FormatError(path, "a character line outside a '## ' sentence block", line=number)
        fields = line.split("\t")
        char, tag = char_and_tag(fields, "<char>\t<tag>", TAGS, KLUE_TYPES, path, number)
        if not block:
            raise FormatError(
                path, "more characters than the sentence has", line=number, field="char"
            )
        position = block.pop(0)
        if char != doc.text[position]:
            raise FormatError(
                path,
                f"character {char!r} differs from the text of document "
                f"{doc.id!r} at offset {position} ({doc.text[position]!r})",
                line=number,
                field="char",
            )
        prefix, _, klue_type = tag.partition("-")
        ours = FROM_KLUE.get(klue_type)
        if prefix == "I" and open_span and open_span[2] == ours:
            open_span = (open_span[0], position + 1, ours)
        else:
            close()
            if ours:
                open_span = (position, position + 1, ours)
    end_block(len(lines))
    out = []
    for doc_id, found in spans.items():
        text = references[doc_id].text
        entities = [span for span in found if span[2] != schema.QUANTITY.name]
        claims = sorted((start, end) for start, end, kind in found if kind == schema.QUANTITY.name)
        out.append(
            AnnotatedDocument(
                id=doc_id,
                text=text,
                entities=numbered_entities(entities, text),
                claims=[
                    Claim(id=f"q{number}", start=start, end=end, text=text[start:end])
                    for number, (start, end) in enumerate(claims, start=1)
                ],
            )
        )
    return out
