"""Dataset rows (one per document and config) from gold records.

Token-classification view: every non-whitespace character is a token (as in KLUE-NER, but
whitespace is dropped rather than kept as a token), with its code-point offsets. Entity spans never
start or end in whitespace, so each entity maps to whole tokens: B- on its first character, I- on
the rest. QUANTITY spans are not NER tags; they are the ``numeric_claims`` config.
"""

from __future__ import annotations

import re
from typing import Any

from kotechnews import schema
from kotechnews.hfdataset.features import SOURCE
from kotechnews.records import AnnotatedDocument
from kotechnews.splits import Assignment

SOURCE_COLUMNS = tuple(SOURCE)
TOKEN = re.compile(r"\S")


def char_tokens(doc: AnnotatedDocument) -> tuple[list[str], list[dict[str, int]], list[str]]:
    """Tokens, their offsets and BIO tags (names) of the non-whitespace characters."""
    text = doc.text or ""
    positions = [m.start() for m in TOKEN.finditer(text)]
    tags = {position: "O" for position in positions}
    for ent in doc.entities:
        inside = [p for p in range(ent.start, ent.end) if p in tags]
        for number, position in enumerate(inside):
            tags[position] = f"{'B' if number == 0 else 'I'}-{ent.type}"
    return (
        [text[p] for p in positions],
        [{"start": p, "end": p + 1} for p in positions],
        [tags[p] for p in positions],
    )


def document_row(doc: AnnotatedDocument, assignment: Assignment) -> dict[str, Any]:
    return {**doc.document.row(), "split": assignment.split, "fold": assignment.fold}


def source_columns(doc: AnnotatedDocument) -> dict[str, Any]:
    """Where a row's text comes from and its licence: in every config, so that a user of one
    config alone can filter by licence."""
    return {key: getattr(doc.document, key) for key in SOURCE_COLUMNS}


def entities_row(doc: AnnotatedDocument) -> dict[str, Any]:
    tokens, offsets, tags = char_tokens(doc)
    return {
        "id": doc.id,
        **source_columns(doc),
        "entities": [
            {
                "id": e.id,
                "start": e.start,
                "end": e.end,
                "text": e.text,
                "type": e.type,
                "canonical_id": e.canonical_id,
            }
            for e in doc.entities
        ],
        "tokens": tokens,
        "token_offsets": offsets,
        "ner_tags": tags,
    }


def relations_row(doc: AnnotatedDocument) -> dict[str, Any]:
    entities = doc.entities_by_id()

    def canonical(entity_id: str) -> str | None:
        ent = entities.get(entity_id)
        return ent.canonical_id if ent else None

    return {
        "id": doc.id,
        **source_columns(doc),
        "relations": [
            {
                "head": r.head,
                "tail": r.tail,
                "head_canonical_id": canonical(r.head),
                "tail_canonical_id": canonical(r.tail),
                "type": r.type,
                "evidence": list(r.evidence),
            }
            for r in doc.relations
        ],
    }


def claims_row(doc: AnnotatedDocument) -> dict[str, Any]:
    claims = []
    entities = doc.entities_by_id()
    for claim in doc.claims:
        row: dict[str, Any] = {
            "id": claim.id,
            "start": claim.start,
            "end": claim.end,
            "text": claim.text,
        }
        for claim_field in schema.CLAIM_FIELDS:
            value = getattr(claim, claim_field.name)
            row[claim_field.name] = value
            if claim_field.kind == "link":
                ent = entities.get(value) if value else None
                row[f"{claim_field.name}_canonical_id"] = ent.canonical_id if ent else None
                row[f"{claim_field.name}_text"] = ent.text if ent else None
        claims.append(row)
    return {"id": doc.id, **source_columns(doc), "claims": claims}


ROW_BUILDERS = {
    "documents": document_row,
    "entities": lambda doc, assignment: entities_row(doc),
    "relations": lambda doc, assignment: relations_row(doc),
    "numeric_claims": lambda doc, assignment: claims_row(doc),
}
