"""Map entity mentions to gold entity clusters, for relation and claim-link scoring.

A gold cluster is the gold ``canonical_id`` (shared across mentions and documents); a gold
mention without one is a cluster of its own. A predicted mention belongs to the cluster of the
gold mention it matches strictly (same span and type); failing that, to the cluster named by its
own ``canonical_id``; failing that, to a cluster of its own that matches nothing in the gold.
Keys are prefixed so the three kinds can never collide.
"""

from __future__ import annotations

from kotechnews.records import AnnotatedDocument, Entity


def canonical_key(canonical_id: str) -> str:
    return f"canonical:{canonical_id}"


def gold_cluster(entity: Entity) -> str:
    if entity.canonical_id:
        return canonical_key(entity.canonical_id)
    return f"mention:{entity.id}"


def gold_clusters(gold: AnnotatedDocument) -> dict[str, str]:
    """Gold entity id -> cluster key."""
    return {entity.id: gold_cluster(entity) for entity in gold.entities}


def predicted_clusters(gold: AnnotatedDocument, pred: AnnotatedDocument) -> dict[str, str]:
    """Predicted entity id -> gold cluster key (or a key of its own if it matches none)."""
    by_span: dict[tuple[int, int, str], str] = {}
    for entity in gold.entities:
        by_span.setdefault((entity.start, entity.end, entity.type), gold_cluster(entity))
    out = {}
    for entity in pred.entities:
        key = by_span.get((entity.start, entity.end, entity.type))
        if key is None:
            key = (
                canonical_key(entity.canonical_id)
                if entity.canonical_id
                else f"unmatched:{entity.id}"
            )
        out[entity.id] = key
    return out
