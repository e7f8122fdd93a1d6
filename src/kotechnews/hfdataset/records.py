"""From the released dataset back to the scorer's records: what a researcher who has only the
Hub repo (or its Parquet files) needs to score predictions, with no source checkout.

``records_from_dataset(dataset, split)`` loads the four configs of one split with
``datasets.load_dataset`` (a local folder or a Hub repo id, optionally at a ``revision``), joins them
by document id and returns ``AnnotatedDocument`` records, labels as names (the ``ClassLabel``
integers decoded), exactly as the gold they were built from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasets import ClassLabel

from kotechnews import schema
from kotechnews.document import Document
from kotechnews.records import AnnotatedDocument, Claim, Entity, Relation

CONFIGS = ("documents", "entities", "relations", "numeric_claims")


def _decoded(item: dict[str, Any], features: dict[str, Any]) -> dict[str, Any]:
    """The item with its ClassLabel integers as label names."""
    return {
        key: (
            features[key].int2str(value)
            if isinstance(features.get(key), ClassLabel) and value is not None
            else value
        )
        for key, value in item.items()
    }


def records_from_rows(
    rows: dict[str, dict[str, Any]], features: dict[str, Any]
) -> AnnotatedDocument:
    """One record from the rows of one document in the four configs (``rows[config]``)."""
    document = rows["documents"]
    doc = AnnotatedDocument(
        id=document["id"], text=document["text"], document=Document.from_row(document)
    )
    entity_features = features["entities"]["entities"].feature
    doc.entities = [Entity(**_decoded(e, entity_features)) for e in rows["entities"]["entities"]]
    relation_features = features["relations"]["relations"].feature
    doc.relations = [
        Relation(
            head=r["head"],
            tail=r["tail"],
            type=relation_features["type"].int2str(r["type"]),
            evidence=list(r["evidence"]),
        )
        for r in rows["relations"]["relations"]
    ]
    claim_features = features["numeric_claims"]["claims"].feature
    fields = {"id", "start", "end", "text", *(f.name for f in schema.CLAIM_FIELDS)}
    doc.claims = [
        Claim(**{k: v for k, v in _decoded(c, claim_features).items() if k in fields})
        for c in rows["numeric_claims"]["claims"]
    ]
    return doc


def records_from_dataset(
    dataset: str | Path, split: str, revision: str | None = None
) -> list[AnnotatedDocument]:
    """The records of one split of a KoTechNews dataset (folder or Hub repo id), by document id."""
    from datasets import load_dataset

    loaded = {
        config: load_dataset(str(dataset), config, split=split, revision=revision)
        for config in CONFIGS
    }
    features = {config: part.features for config, part in loaded.items()}
    by_id: dict[str, dict[str, dict[str, Any]]] = {}
    for config, part in loaded.items():
        for row in part:
            by_id.setdefault(row["id"], {})[config] = row
    return [records_from_rows(by_id[doc_id], features) for doc_id in sorted(by_id)]
