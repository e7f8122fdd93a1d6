"""Corpus statistics for the dataset card: counts per split, per label type and per article."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from kotechnews import schema
from kotechnews.annotation import counts_markdown
from kotechnews.records import AnnotatedDocument
from kotechnews.splits import NO_FOLD, SPLIT_NAMES, Assignment

SPLIT_COLUMNS = ("documents", "sentences", "characters", "entities", "relations", "claims")


@dataclass
class Statistics:
    per_split: dict[str, Counter] = field(default_factory=dict)
    entity_types_per_split: dict[str, Counter] = field(default_factory=dict)
    entity_types_per_article: dict[str, Counter] = field(default_factory=dict)
    relation_types: Counter = field(default_factory=Counter)
    quantity_types: Counter = field(default_factory=Counter)
    modalities: Counter = field(default_factory=Counter)
    folds: int = 0


def article_label(doc: AnnotatedDocument) -> str:
    return doc.document.source_file or doc.id


def plot_label(doc: AnnotatedDocument) -> str:
    """Short and unique: "000 글로벌이코노믹" for a seed article, "w026" for a Wikinews one."""
    stem = article_label(doc).removesuffix(".txt")
    if doc.document.source == "wikinews":
        return "w" + stem.split("_")[1]
    return " ".join(filter(None, (stem[:3], doc.document.outlet)))


def compute_statistics(
    records: Sequence[AnnotatedDocument], assignments: dict[str, Assignment]
) -> Statistics:
    stats = Statistics(
        per_split={name: Counter() for name in SPLIT_NAMES},
        entity_types_per_split={name: Counter() for name in SPLIT_NAMES},
    )
    for doc in records:
        split = assignments[doc.id].split
        stats.per_split[split].update(
            {
                "documents": 1,
                "sentences": len(doc.sentences),
                "characters": len(doc.text or ""),
                "entities": len(doc.entities),
                "relations": len(doc.relations),
                "claims": len(doc.claims),
            }
        )
        types = Counter(e.type for e in doc.entities)
        stats.entity_types_per_split[split].update(types)
        stats.entity_types_per_article[article_label(doc)] = types
        stats.relation_types.update(r.type for r in doc.relations)
        stats.quantity_types.update(c.quantity_type for c in doc.claims)
        stats.modalities.update(c.modality for c in doc.claims)
    stats.folds = len({assignments[doc.id].fold for doc in records} - {NO_FOLD})
    return stats


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def split_table(stats: Statistics) -> str:
    total = sum(stats.per_split.values(), Counter())
    rows = [[name] + [stats.per_split[name][c] for c in SPLIT_COLUMNS] for name in SPLIT_NAMES]
    rows.append(["**total**"] + [f"**{total[c]}**" for c in SPLIT_COLUMNS])
    return _table(["split", *SPLIT_COLUMNS], rows)


def entity_type_table(stats: Statistics) -> str:
    rows = [
        [name]
        + [stats.entity_types_per_split[s][name] for s in SPLIT_NAMES]
        + [sum(stats.entity_types_per_split[s][name] for s in SPLIT_NAMES)]
        for name in schema.ENTITY_TYPE_NAMES
    ]
    return _table(["entity type", *SPLIT_NAMES, "total"], rows)


def article_table(records: Sequence[AnnotatedDocument]) -> str:
    return counts_markdown(list(records))


def relation_table(stats: Statistics) -> str:
    return _table(
        ["relation type", "count"],
        [[name, stats.relation_types[name]] for name in schema.RELATION_TYPE_NAMES],
    )


def claim_table(stats: Statistics) -> str:
    rows = [
        ["quantity_type", name, stats.quantity_types[name]] for name in schema.QUANTITY_TYPE_NAMES
    ]
    rows += [["modality", name, stats.modalities[name]] for name in schema.MODALITY_NAMES]
    return _table(["field", "value", "claims"], rows)
