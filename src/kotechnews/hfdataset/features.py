"""Typed features of the four dataset configs, derived from the schema.

Every config has one row per document, keyed by the document ``id``; entity ids are unique within a
document, so (document id, entity id) links entities, relations and claims across configs.
"""

from __future__ import annotations

from datasets import ClassLabel, Features, List, Value

from kotechnews import schema

SPAN = {"start": Value("int32"), "end": Value("int32")}
CLAIM_FIELD_KINDS = {"number": Value("float64"), "text": Value("string"), "bool": Value("bool")}


def claim_features() -> dict:
    """One numeric claim: span, then the schema's claim fields in order; a link field gives the
    entity id, its canonical id and its text."""
    out = {"id": Value("string"), **SPAN, "text": Value("string")}
    for claim_field in schema.CLAIM_FIELDS:
        if claim_field.kind == "choice":
            out[claim_field.name] = ClassLabel(
                names=schema.names(schema.CLAIM_CHOICES[claim_field.name])
            )
        elif claim_field.kind == "link":
            out[claim_field.name] = Value("string")
            out[f"{claim_field.name}_canonical_id"] = Value("string")
            out[f"{claim_field.name}_text"] = Value("string")
        else:
            out[claim_field.name] = CLAIM_FIELD_KINDS[claim_field.kind]
    return out


# Provenance and licence of the text, in every config (rows.SOURCE_COLUMNS).
SOURCE = {"url": Value("string"), "license": Value("string"), "source": Value("string")}

FEATURES: dict[str, Features] = {
    "documents": Features(
        {
            "id": Value("string"),
            "source_file": Value("string"),
            "outlet": Value("string"),
            "date": Value("string"),
            "title": Value("string"),
            **SOURCE,
            "text": Value("string"),
            "sentences": List(SPAN),
            "paragraphs": List(SPAN),
            "split": Value("string"),
            "fold": Value("int32"),
        }
    ),
    "entities": Features(
        {
            "id": Value("string"),
            **SOURCE,
            "entities": List(
                {
                    "id": Value("string"),
                    **SPAN,
                    "text": Value("string"),
                    "type": ClassLabel(names=schema.ENTITY_TYPE_NAMES),
                    "canonical_id": Value("string"),
                }
            ),
            "tokens": List(Value("string")),
            "token_offsets": List(SPAN),
            "ner_tags": List(ClassLabel(names=schema.bio_labels())),
        }
    ),
    "relations": Features(
        {
            "id": Value("string"),
            **SOURCE,
            "relations": List(
                {
                    "head": Value("string"),
                    "tail": Value("string"),
                    "head_canonical_id": Value("string"),
                    "tail_canonical_id": Value("string"),
                    "type": ClassLabel(names=schema.RELATION_TYPE_NAMES),
                    "evidence": List(Value("int32")),
                }
            ),
        }
    ),
    "numeric_claims": Features(
        {
            "id": Value("string"),
            **SOURCE,
            "claims": List(claim_features()),
        }
    ),
}
CONFIG_NAMES: tuple[str, ...] = tuple(FEATURES)
