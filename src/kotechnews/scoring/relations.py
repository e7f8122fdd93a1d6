"""Relation scoring at the level of entity clusters, as in DocRED.

Each relation is turned into a triple (head cluster, type, tail cluster) with the mapping in
``kotechnews.scoring.clusters``; triples are sets per document (several mention pairs of the same
clusters state one fact), and for a symmetric relation type (``RelationType.symmetric``) the two
clusters are put in a fixed order so either direction matches. Evidence sentence indices of
mention pairs that collapse into one triple are united. A relation repeated with the same head,
type and tail mentions is refused when the submission is validated.

- **P/R/F1**: a predicted triple is correct when the gold document has the same triple.
- **Ign F1** (DocRED): correct triples whose fact (head canonical id, type, tail canonical id)
  also occurs in the train gold are left out of precision: P_ign = (correct - correct_in_train)
  / (predicted - correct_in_train); recall stays as is; Ign F1 = 2 P_ign R / (P_ign + R).
  Facts are compared by canonical id across documents, so a gold mention without a canonical
  id is never "in train". Only reported when train gold is given.
- **evidence P/R/F1** (DocRED): correct = |predicted ∩ gold evidence| summed over correct
  triples; precision divides by the evidence indices of all predicted triples, recall by those
  of all gold triples.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from kotechnews import schema
from kotechnews.records import AnnotatedDocument, Relation
from kotechnews.scoring.clusters import canonical_key, gold_clusters, predicted_clusters
from kotechnews.scoring.prf import f1_from, micro_macro, per_class_table, prf

NAME = "relations"
HEADLINE = schema.TASKS_BY_NAME[NAME].headline
TYPES = schema.RELATION_TYPE_NAMES
_TYPE_INDEX = {name: index for index, name in enumerate(TYPES)}

Triple = tuple[str, str, str]  # (head cluster, relation type, tail cluster)


def _triple(head: str, relation_type: str, tail: str) -> Triple:
    if schema.RELATIONS_BY_NAME[relation_type].symmetric and tail < head:
        head, tail = tail, head
    return head, relation_type, tail


def triples(relations: Iterable[Relation], clusters: dict[str, str]) -> dict[Triple, set[int]]:
    """Triples of a document with the union of their evidence sentence indices."""
    out: dict[Triple, set[int]] = {}
    for relation in relations:
        key = _triple(clusters[relation.head], relation.type, clusters[relation.tail])
        out.setdefault(key, set()).update(relation.evidence)
    return out


def train_facts(train: Iterable[AnnotatedDocument]) -> frozenset[Triple]:
    """Facts of the train gold by canonical id, for Ign F1 (mentions without one are skipped)."""
    facts = set()
    for document in train:
        canonical = {
            e.id: canonical_key(e.canonical_id) for e in document.entities if e.canonical_id
        }
        facts.update(
            _triple(canonical[r.head], r.type, canonical[r.tail])
            for r in document.relations
            if r.head in canonical and r.tail in canonical
        )
    return frozenset(facts)


def count_document(
    gold: AnnotatedDocument, pred: AnnotatedDocument, options
) -> dict[str, np.ndarray]:
    """Per-type triple counts and evidence counts for one document.

    ``options.train_facts`` (a set of triples, or None) switches on the Ign F1 count.
    """
    gold_triples = triples(gold.relations, gold_clusters(gold))
    pred_triples = triples(pred.relations, predicted_clusters(gold, pred))
    counts = {name: np.zeros(len(TYPES)) for name in ("gold", "pred", "tp")}
    for triple in gold_triples:
        counts["gold"][_TYPE_INDEX[triple[1]]] += 1
    for triple in pred_triples:
        counts["pred"][_TYPE_INDEX[triple[1]]] += 1
    correct = [t for t in pred_triples if t in gold_triples]
    for triple in correct:
        counts["tp"][_TYPE_INDEX[triple[1]]] += 1
    counts["evidence_gold"] = np.array([sum(map(len, gold_triples.values()))], dtype=float)
    counts["evidence_pred"] = np.array([sum(map(len, pred_triples.values()))], dtype=float)
    counts["evidence_tp"] = np.array(
        [sum(len(pred_triples[t] & gold_triples[t]) for t in correct)], dtype=float
    )
    if options.train_facts is not None:
        counts["tp_in_train"] = np.array(
            [sum(t in options.train_facts for t in correct)], dtype=float
        )
    return counts


def metrics(totals: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = micro_macro("", totals["tp"], totals["pred"], totals["gold"])
    names = ("evidence_precision", "evidence_recall", "evidence_f1")
    out.update(
        zip(
            names,
            prf(
                totals["evidence_tp"][..., 0],
                totals["evidence_pred"][..., 0],
                totals["evidence_gold"][..., 0],
            ),
        )
    )
    if "tp_in_train" in totals:
        in_train = totals["tp_in_train"][..., 0]
        tp, n_pred, n_gold = (totals[k].sum(-1) for k in ("tp", "pred", "gold"))
        ign_precision, _, _ = prf(tp - in_train, n_pred - in_train, n_gold)
        out["ign_precision"] = ign_precision
        out["ign_f1"] = f1_from(ign_precision, out["recall"])
    return out


def breakdown(totals: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    return per_class_table(TYPES, totals["tp"], totals["pred"], totals["gold"])
