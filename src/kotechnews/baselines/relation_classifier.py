"""Relation classification over candidate mention pairs, given the entity mentions.

Candidates are ordered pairs of mentions in one sentence whose types some relation type allows
(from the schema). A logistic regression over context features predicts a relation type or
``no_relation``; one triple per (head cluster, type, tail cluster) is kept. This is the DocRED
protocol: entities are given, relations are predicted.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import permutations

from sklearn.base import BaseEstimator
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression

from kotechnews import schema
from kotechnews.baselines.context import (
    morpheme_after,
    morpheme_before,
    morphemes_between,
    sentence_of,
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
                    schema.relation_allowed(r, head.type, tail.type)
                    for r in schema.RELATION_TYPE_NAMES):
                pairs.append((head, tail))
    return pairs


def pair_features(doc: AnnotatedDocument, head: Entity, tail: Entity) -> list[str]:
    left, right = (head, tail) if head.start < tail.start else (tail, head)
    between = morphemes_between(doc, left.end, right.start)
    gap = right.start - left.end
    feats = [f"types={head.type}>{tail.type}", f"order={'ht' if head is left else 'th'}",
             f"gap={min(gap // 5, 8)}", f"nbetween={min(len(between), 8)}",
             f"head={head.text}", f"tail={tail.text}",
             f"head_after={morpheme_after(doc, head.end)}",
             f"tail_after={morpheme_after(doc, tail.end)}",
             f"head_before={morpheme_before(doc, head.start)}",
             f"adjacent={gap <= 1}"]
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


class RelationClassifier(BaseEstimator):
    """fit(docs) / predict(docs): docs carry entities; predictions add relations."""

    def __init__(self, C: float = 2.0, n_features: int = 2**18, random_state: int = 0):
        self.C = C
        self.n_features = n_features
        self.random_state = random_state

    def _hasher(self) -> FeatureHasher:
        return FeatureHasher(n_features=self.n_features, input_type="string")

    def fit(self, docs: Sequence[AnnotatedDocument], y=None) -> "RelationClassifier":
        rows, labels = [], []
        for doc in docs:
            gold = gold_pair_labels(doc)
            for head, tail in candidate_pairs(doc):
                rows.append(pair_features(doc, head, tail))
                labels.append(gold.get((cluster(head), cluster(tail)), NO_RELATION))
        self.model_ = LogisticRegression(C=self.C, max_iter=500, class_weight="balanced",
                                         random_state=self.random_state)
        self.model_.fit(self._hasher().transform(rows), labels)
        return self

    def predict(self, docs: Sequence[AnnotatedDocument]) -> list[AnnotatedDocument]:
        out = []
        for doc in docs:
            pairs = candidate_pairs(doc)
            predicted = (self.model_.predict(self._hasher().transform(
                [pair_features(doc, h, t) for h, t in pairs])) if pairs else [])
            relations, seen = [], set()
            for (head, tail), label in zip(pairs, predicted):
                if label == NO_RELATION or not schema.relation_allowed(label, head.type, tail.type):
                    continue
                key = (cluster(head), label, cluster(tail))
                if schema.RELATIONS_BY_NAME[label].symmetric:
                    key = (min(key[0], key[2]), label, max(key[0], key[2]))
                if key in seen:
                    continue
                seen.add(key)
                relations.append(Relation(head.id, tail.id, label,
                                          sorted({sentence_of(doc, head.start)})))
            out.append(AnnotatedDocument(id=doc.id, text=doc.text, entities=list(doc.entities),
                                         relations=relations))
        return out
