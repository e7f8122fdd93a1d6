"""Relation classification over candidate mention pairs, given the entity mentions.

Candidates are ordered pairs of mentions in one sentence whose types some relation type allows
(from the schema). A logistic regression over context features predicts a relation type or
``no_relation``; one triple per (head cluster, type, tail cluster) is kept. This is the DocRED
protocol: entities are given, relations are predicted. Relations whose mentions never share a
sentence are out of reach of this candidate rule (``candidate_recall`` measures how many).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import permutations

from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from kotechnews import schema
from kotechnews.baselines.context import (
    fit_vectorizer,
    morpheme_after,
    morpheme_before,
    morphemes_between,
    sentence_of,
    vectorize,
)
from kotechnews.records import AnnotatedDocument, Entity, Relation

NO_RELATION = "no_relation"


def cluster(entity: Entity) -> str:
    return entity.canonical_id or f"mention:{entity.id}"


def candidate_pairs(doc: AnnotatedDocument) -> list[tuple[Entity, Entity]]:
    by_sentence: dict[int, list[Entity]] = {}
    for ent in doc.entities:
        by_sentence.setdefault(sentence_of(doc, ent.start), []).append(ent)
    pairs = []
    for mentions in by_sentence.values():
        for head, tail in permutations(mentions, 2):
            if cluster(head) != cluster(tail) and any(
                schema.relation_allowed(r, head.type, tail.type) for r in schema.RELATION_TYPE_NAMES
            ):
                pairs.append((head, tail))
    return pairs


def pair_features(doc: AnnotatedDocument, head: Entity, tail: Entity) -> list[str]:
    left, right = (head, tail) if head.start < tail.start else (tail, head)
    between = morphemes_between(doc, left.end, right.start)
    gap = right.start - left.end
    feats = [
        f"types={head.type}>{tail.type}",
        f"order={'ht' if head is left else 'th'}",
        f"gap={min(gap // 5, 8)}",
        f"nbetween={min(len(between), 8)}",
        f"head={head.text}",
        f"tail={tail.text}",
        f"head_after={morpheme_after(doc, head.end)}",
        f"tail_after={morpheme_after(doc, tail.end)}",
        f"head_before={morpheme_before(doc, head.start)}",
        f"adjacent={gap <= 1}",
    ]
    feats += [f"between={m}" for m in between[:12]]
    feats += [f"between_types={head.type}>{tail.type}:{m}" for m in between[:4]]
    return feats


def gold_pair_labels(doc: AnnotatedDocument) -> dict[tuple[str, str], str]:
    """Relation type per (head cluster, tail cluster); symmetric types in both directions."""
    ents = {e.id: e for e in doc.entities}
    labels = {}
    for rel in doc.relations:
        head, tail = cluster(ents[rel.head]), cluster(ents[rel.tail])
        labels[(head, tail)] = rel.type
        if schema.RELATIONS_BY_NAME[rel.type].symmetric:
            labels[(tail, head)] = rel.type
    return labels


def candidate_recall(docs: Sequence[AnnotatedDocument]) -> float:
    """Share of gold (head cluster, tail cluster) pairs that some candidate pair covers."""
    gold = covered = 0
    for doc in docs:
        labels = gold_pair_labels(doc)
        candidates = {(cluster(head), cluster(tail)) for head, tail in candidate_pairs(doc)}
        gold += len(labels)
        covered += sum(pair in candidates for pair in labels)
    return covered / gold if gold else 1.0


class RelationClassifier(BaseEstimator):
    """fit(docs) / predict(docs): docs carry entities; predictions add relations."""

    def __init__(self, C: float = 2.0, random_state: int = 0):
        self.C = C
        self.random_state = random_state

    def fit(self, docs: Sequence[AnnotatedDocument], y=None) -> "RelationClassifier":
        rows, labels = [], []
        for doc in docs:
            gold = gold_pair_labels(doc)
            for head, tail in candidate_pairs(doc):
                rows.append(pair_features(doc, head, tail))
                labels.append(gold.get((cluster(head), cluster(tail)), NO_RELATION))
        if len(set(labels)) < 2:
            raise ValueError(
                "the training documents need candidate pairs with and without a relation"
            )
        self.vectorizer_ = fit_vectorizer(rows)
        self.model_ = LogisticRegression(
            C=self.C, max_iter=1000, class_weight="balanced", random_state=self.random_state
        )
        self.model_.fit(vectorize(self.vectorizer_, rows), labels)
        return self

    def predict(self, docs: Sequence[AnnotatedDocument]) -> list[AnnotatedDocument]:
        out = []
        for doc in docs:
            pairs = candidate_pairs(doc)
            rows = [pair_features(doc, head, tail) for head, tail in pairs]
            predicted = self.model_.predict(vectorize(self.vectorizer_, rows)) if rows else []
            out.append(
                doc.with_annotations(
                    entities=list(doc.entities),
                    relations=relations_from_pairs(doc, pairs, predicted),
                )
            )
        return out


def relations_from_pairs(
    doc: AnnotatedDocument, pairs: Sequence[tuple[Entity, Entity]], labels: Sequence[str]
) -> list[Relation]:
    """One relation per (head cluster, type, tail cluster) from per-pair labels, allowed types
    only; a symmetric type keeps one direction. Evidence is the pair's sentence."""
    relations, seen = [], set()
    for (head, tail), label in zip(pairs, labels):
        if label == NO_RELATION or not schema.relation_allowed(label, head.type, tail.type):
            continue
        key = (cluster(head), label, cluster(tail))
        if schema.RELATIONS_BY_NAME[label].symmetric:
            key = (min(key[0], key[2]), label, max(key[0], key[2]))
        if key in seen:
            continue
        seen.add(key)
        relations.append(Relation(head.id, tail.id, label, [sentence_of(doc, head.start)]))
    return relations
