"""Convert between Label Studio results and KoTechNews records.

Layout of a Label Studio annotation (the labeling config in ``config.py`` declares the same names):

- span regions: ``from_name="label"``, ``type="labels"``, ``value={start, end, text, labels: [TYPE]}``
  with TYPE an entity type or QUANTITY;
- per-region attributes share the region ``id``: ``canonical_id``, ``property``, ``value``, ``low``,
  ``high``, ``unit``, ``override_reason`` are TextAreas (``value.text == [string]``);
  ``quantity_type``, ``modality`` and ``approximate`` are Choices (``value.choices == [name]``);
- relations: ``type="relation"``, ``from_id``/``to_id`` region ids, ``labels=[relation type]``;
  the claim links ``claim:subject`` and ``claim:time`` go from a QUANTITY region to an entity region.

A relation's evidence is the set of sentences holding the two regions it connects: annotators draw
it between the mentions in the sentences that state it.

``record_from_result`` assumes a result that ``kotechnews.labelstudio.validate`` accepted.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import Any

from kotechnews import schema
from kotechnews.document import Document
from kotechnews.records import AnnotatedDocument, Claim, Entity, Relation

TEXT = "text"
SPAN_CONTROL = "label"
CANONICAL_ID = "canonical_id"
APPROXIMATE_CHOICE = "approximate"
# Claim attributes stored as per-region TextAreas / Choices, derived from the schema.
CLAIM_TEXT_FIELDS = tuple(f.name for f in schema.CLAIM_FIELDS if f.kind in ("text", "number"))
CLAIM_CHOICE_FIELDS = tuple(schema.CLAIM_CHOICES)
NUMBER_FIELDS = tuple(f.name for f in schema.CLAIM_FIELDS if f.kind == "number")
LINK_FIELDS = {link.name: link.field for link in schema.CLAIM_LINKS}


def format_number(number: float) -> str:
    """Numbers as Label Studio text: integers without a decimal point."""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def sentence_locator(sentences: Sequence[Sequence[int]]) -> Callable[[int], int]:
    """offset -> index of the sentence whose [start, end) holds it (the last one starting before
    it); the start list is built once, so locating every relation end stays linear."""
    starts = [s[0] for s in sentences]
    return lambda offset: max(bisect.bisect_right(starts, offset) - 1, 0)


def sentence_index(sentences: Sequence[Sequence[int]], offset: int) -> int:
    return sentence_locator(sentences)(offset)


def _region(
    region_id: str,
    start: int,
    end: int,
    text: str,
    from_name: str,
    kind: str,
    payload: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": region_id,
        "from_name": from_name,
        "to_name": TEXT,
        "type": kind,
        "origin": "manual",
        "value": {
            "start": start,
            "end": end,
            **({"text": text} if kind == "labels" else {}),
            **payload,
        },
    }


def result_from_record(doc: AnnotatedDocument) -> list[dict[str, Any]]:
    """Label Studio result list for one annotated document."""
    result: list[dict[str, Any]] = []
    for ent in doc.entities:
        result.append(
            _region(
                ent.id, ent.start, ent.end, ent.text, SPAN_CONTROL, "labels", {"labels": [ent.type]}
            )
        )
        if ent.canonical_id:
            result.append(
                _region(
                    ent.id,
                    ent.start,
                    ent.end,
                    ent.text,
                    CANONICAL_ID,
                    "textarea",
                    {"text": [ent.canonical_id]},
                )
            )
    for claim in doc.claims:
        result.append(
            _region(
                claim.id,
                claim.start,
                claim.end,
                claim.text,
                SPAN_CONTROL,
                "labels",
                {"labels": [schema.QUANTITY.name]},
            )
        )
        for name in CLAIM_TEXT_FIELDS:
            value = getattr(claim, name)
            if value is None:
                continue
            text = format_number(value) if name in NUMBER_FIELDS else str(value)
            result.append(
                _region(
                    claim.id, claim.start, claim.end, claim.text, name, "textarea", {"text": [text]}
                )
            )
        for name in CLAIM_CHOICE_FIELDS:
            value = getattr(claim, name)
            if value is not None:
                result.append(
                    _region(
                        claim.id,
                        claim.start,
                        claim.end,
                        claim.text,
                        name,
                        "choices",
                        {"choices": [value]},
                    )
                )
        if claim.approximate:
            result.append(
                _region(
                    claim.id,
                    claim.start,
                    claim.end,
                    claim.text,
                    APPROXIMATE_CHOICE,
                    "choices",
                    {"choices": [APPROXIMATE_CHOICE]},
                )
            )
        for link in schema.CLAIM_LINKS:
            target = getattr(claim, link.field)
            if target is not None:
                result.append(_relation(claim.id, target, link.name))
    for rel in doc.relations:
        result.append(_relation(rel.head, rel.tail, rel.type))
    return result


def _relation(from_id: str, to_id: str, label: str) -> dict[str, Any]:
    return {
        "from_id": from_id,
        "to_id": to_id,
        "type": "relation",
        "direction": "right",
        "labels": [label],
    }


def record_from_result(data: dict[str, Any], result: list[dict[str, Any]]) -> AnnotatedDocument:
    """Record for one Label Studio annotation of a task whose data came from ``task_data``."""
    document = Document.from_task_data(data)
    text = document.text
    locate = sentence_locator(document.sentences or [[0, len(text)]])
    spans: dict[str, dict[str, Any]] = {}
    attributes: dict[str, dict[str, Any]] = {}
    relations = []
    for item in result:
        if item.get("type") == "relation":
            relations.append(item)
            continue
        value = item["value"]
        attrs = attributes.setdefault(item["id"], {})
        if item["from_name"] == SPAN_CONTROL:
            spans[item["id"]] = value
        elif item["type"] == "textarea":
            attrs[item["from_name"]] = value["text"][0] if value.get("text") else None
        elif item["type"] == "choices":
            attrs[item["from_name"]] = value["choices"][0] if value.get("choices") else None

    doc = AnnotatedDocument(id=document.id, text=text, document=document)
    claims_by_id: dict[str, Claim] = {}
    for region_id, value in spans.items():
        start, end, label = value["start"], value["end"], value["labels"][0]
        attrs = attributes.get(region_id, {})
        if label == schema.QUANTITY.name:
            claim = Claim(
                id=region_id,
                start=start,
                end=end,
                text=text[start:end],
                approximate=attrs.get(APPROXIMATE_CHOICE) == APPROXIMATE_CHOICE,
            )
            for name in CLAIM_TEXT_FIELDS + CLAIM_CHOICE_FIELDS:
                raw = attrs.get(name)
                if raw is not None and name in NUMBER_FIELDS:
                    raw = float(raw)
                setattr(claim, name, raw)
            claims_by_id[region_id] = claim
            doc.claims.append(claim)
        else:
            doc.entities.append(
                Entity(
                    id=region_id,
                    start=start,
                    end=end,
                    type=label,
                    text=text[start:end],
                    canonical_id=attrs.get(CANONICAL_ID),
                )
            )
    for item in relations:
        label = item["labels"][0]
        if label in LINK_FIELDS:
            setattr(claims_by_id[item["from_id"]], LINK_FIELDS[label], item["to_id"])
            continue
        evidence = sorted({locate(spans[item[key]]["start"]) for key in ("from_id", "to_id")})
        doc.relations.append(
            Relation(head=item["from_id"], tail=item["to_id"], type=label, evidence=evidence)
        )
    doc.entities.sort(key=lambda e: (e.start, e.end))
    doc.claims.sort(key=lambda c: (c.start, c.end))
    return doc
