"""Numeric-claim baseline: the quantity finder and normaliser, plus three small classifiers.

Spans and values come from ``kotechnews.quantity`` (no learning). Logistic regressions over the
span's unit, surface and surrounding morphemes predict the quantity type and the modality; a
ranking classifier picks the subject among the sentence's entity mentions (entities are given, as
for relations). The measured property is the training set's most frequent property for the
predicted type and unit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from kotechnews import schema
from kotechnews.baselines.context import (
    fit_vectorizer,
    morpheme_after,
    morpheme_before,
    morphemes_between,
    sentence_bounds,
    sentence_of,
    vectorize,
)
from kotechnews.records import AnnotatedDocument, Claim, Entity


def claim_features(doc: AnnotatedDocument, start: int, end: int, unit: str | None) -> list[str]:
    s_start, s_end = sentence_bounds(doc, sentence_of(doc, start))
    after = morphemes_between(doc, end, s_end)
    before = morphemes_between(doc, s_start, start)
    feats = [
        f"unit={unit}",
        f"last={doc.text[end - 1]}",
        f"first={doc.text[start]}",
        f"next={morpheme_after(doc, end)}",
        f"prev={morpheme_before(doc, start)}",
        f"paren={doc.text[start - 1 : start] == '('}",
    ]
    feats += [f"after={m}" for m in after[:6]] + [f"end={m}" for m in after[-4:]]
    feats += [f"before={m}" for m in before[-4:]]
    return feats


def subject_features(doc: AnnotatedDocument, claim_start: int, ent: Entity) -> list[str]:
    distance = claim_start - ent.end if ent.end <= claim_start else ent.start - claim_start
    return [
        f"type={ent.type}",
        f"side={'before' if ent.end <= claim_start else 'after'}",
        f"dist={min(abs(distance) // 5, 10)}",
        f"particle={morpheme_after(doc, ent.end)}",
        f"type_side={ent.type}:{'before' if ent.end <= claim_start else 'after'}",
    ]


def _candidates(doc: AnnotatedDocument, start: int) -> list[Entity]:
    # Subjects are things with an identity: the types that carry canonical ids (not DATE, TITLE).
    things = [e for e in doc.entities if e.type in schema.CANONICAL_ID_TYPES]
    index = sentence_of(doc, start)
    same = [e for e in things if sentence_of(doc, e.start) == index]
    return same or [e for e in things if e.end <= start][-3:]


def _property_key(quantity_type: str | None, unit: str | None) -> str:
    """String key (skops stores dictionaries with string keys only)."""
    return f"{quantity_type}\t{unit}"


class _Classifier:
    """A logistic regression over feature strings, or the one label when training has one."""

    def __init__(self, rows: list[list[str]], labels: list, C: float, random_state: int):
        self.constant = labels[0] if len(set(labels)) == 1 else None
        if self.constant is None:
            self.vectorizer = fit_vectorizer(rows)
            self.model = LogisticRegression(C=C, max_iter=1000, random_state=random_state).fit(
                vectorize(self.vectorizer, rows), labels
            )

    def predict(self, rows: list[list[str]]) -> list:
        if self.constant is not None or not rows:
            return [self.constant] * len(rows)
        return list(self.model.predict(vectorize(self.vectorizer, rows)))

    def positive_scores(self, rows: list[list[str]]) -> list[float]:
        """Probability of the label True (a constant label scores 1.0 or 0.0)."""
        if self.constant is not None or not rows:
            return [float(self.constant is True)] * len(rows)
        column = list(self.model.classes_).index(True)
        return list(self.model.predict_proba(vectorize(self.vectorizer, rows))[:, column])


class ClaimExtractor(BaseEstimator):
    """fit(docs) / predict(docs): docs carry entities; predictions add claims."""

    def __init__(self, C: float = 1.0, random_state: int = 0):
        self.C = C
        self.random_state = random_state

    def fit(self, docs: Sequence[AnnotatedDocument], y=None) -> "ClaimExtractor":
        rows, types, modalities, subj_rows, subj_labels = [], [], [], [], []
        properties: dict[str, Counter] = {}
        for doc in docs:
            for claim in doc.claims:
                rows.append(claim_features(doc, claim.start, claim.end, claim.unit))
                types.append(claim.quantity_type)
                modalities.append(claim.modality)
                properties.setdefault(_property_key(claim.quantity_type, claim.unit), Counter())[
                    claim.property
                ] += 1
                for ent in _candidates(doc, claim.start):
                    subj_rows.append(subject_features(doc, claim.start, ent))
                    subj_labels.append(ent.id == claim.subject)
        if not rows or not subj_rows:
            raise ValueError("the training documents need numeric claims with subject candidates")
        self.type_model_ = _Classifier(rows, types, self.C, self.random_state)
        self.modality_model_ = _Classifier(rows, modalities, self.C, self.random_state)
        self.subject_model_ = _Classifier(subj_rows, subj_labels, self.C, self.random_state)
        self.properties_ = {
            key: counter.most_common(1)[0][0] for key, counter in properties.items()
        }
        return self

    def _subject(self, doc: AnnotatedDocument, start: int) -> str | None:
        candidates = _candidates(doc, start)
        if not candidates:
            return None
        scores = self.subject_model_.positive_scores(
            [subject_features(doc, start, e) for e in candidates]
        )
        return candidates[max(range(len(scores)), key=scores.__getitem__)].id

    def predict(self, docs: Sequence[AnnotatedDocument]) -> list[AnnotatedDocument]:
        from kotechnews.quantity import find_quantities

        out = []
        for doc in docs:
            found = find_quantities(doc.text)
            rows = [claim_features(doc, q.start, q.end, q.unit) for q in found]
            types = self.type_model_.predict(rows)
            modalities = self.modality_model_.predict(rows)
            claims = [
                Claim(
                    id=f"pq{i + 1}",
                    start=q.start,
                    end=q.end,
                    text=doc.text[q.start : q.end],
                    value=q.value,
                    low=q.low,
                    high=q.high,
                    unit=q.unit,
                    approximate=q.approximate,
                    quantity_type=qtype,
                    property=self.properties_.get(_property_key(qtype, q.unit)),
                    modality=modality,
                    subject=self._subject(doc, q.start),
                )
                for i, (q, qtype, modality) in enumerate(zip(found, types, modalities))
            ]
            out.append(
                doc.with_annotations(
                    entities=list(doc.entities), relations=list(doc.relations), claims=claims
                )
            )
        return out
