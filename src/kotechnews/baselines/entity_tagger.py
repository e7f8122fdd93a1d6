"""Character-level BIO entity tagger: a linear model over window features.

Characters are the tokens, as in KLUE-NER, so spans can stop before a particle (KT|가) and no
tokeniser alignment is needed. Each character gets features from a ±2 window of characters, its
character class and the Kiwi morpheme tag covering it; a linear SVM (scikit-learn's defaults,
one-vs-rest) predicts its BIO tag, and runs of tags become spans. The tags are the scorer's
character view (``kotechnews.scoring.entities.char_tags``), so training and KLUE char F1 agree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from sklearn.base import BaseEstimator
from sklearn.svm import LinearSVC

from kotechnews.baselines.context import fit_vectorizer, morpheme_index, vectorize
from kotechnews.records import AnnotatedDocument, Entity
from kotechnews.scoring.entities import CHAR_TAGS, char_tags

WINDOW = 2


def char_class(char: str) -> str:
    if char.isspace():
        return "space"
    if "\uac00" <= char <= "\ud7a3":
        return "hangul"
    if char.isdigit():
        return "digit"
    if char.isascii() and char.isalpha():
        return "upper" if char.isupper() else "latin"
    return unicodedata.category(char)


def _morpheme_tags(text: str) -> list[str]:
    tags = ["-"] * len(text)
    starts = [False] * len(text)
    index = morpheme_index(text)
    for label, start, end in zip(index.labels, index.starts, index.ends):
        tag = label.rpartition("/")[2]
        for i in range(start, end):
            if tags[i] == "-":
                tags[i] = tag
        if start < len(text):
            starts[start] = True
    return [f"{tag}{'^' if start else ''}" for tag, start in zip(tags, starts)]


def char_features(text: str) -> list[list[str]]:
    """Feature strings for every character of text."""
    tags = _morpheme_tags(text)
    padded = "\x02" * WINDOW + text + "\x03" * WINDOW
    classes = [char_class(c) for c in text]
    out = []
    for i in range(len(text)):
        p = i + WINDOW
        feats = [
            f"c={padded[p]}",
            f"cls={classes[i]}",
            f"mt={tags[i]}",
            f"mt-1={tags[i - 1] if i else '<s>'}",
            f"mt+1={tags[i + 1] if i + 1 < len(text) else '</s>'}",
            f"b-={padded[p - 1 : p + 1]}",
            f"b+={padded[p : p + 2]}",
            f"t={padded[p - 1 : p + 2]}",
        ]
        feats += [f"c{k:+d}={padded[p + k]}" for k in range(-WINDOW, WINDOW + 1) if k]
        feats += [f"cls{k:+d}={classes[i + k]}" for k in (-1, 1) if 0 <= i + k < len(text)]
        out.append(feats)
    return out


def bio_tags(doc: AnnotatedDocument) -> list[str]:
    """BIO tag per character of the document text (overlaps resolved as the scorer does)."""
    return [CHAR_TAGS[code] for code in char_tags(doc.entities, len(doc.text))]


def entities_from_tags(text: str, tags: Sequence[str]) -> list[Entity]:
    """Entities p1, p2, ... from per-character tags, with surrounding whitespace trimmed."""
    entities = []
    for start, end, label in spans_from_tags(tags):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            entities.append(Entity(f"p{len(entities) + 1}", start, end, label, text[start:end]))
    return entities


def spans_from_tags(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, type) runs; an I- tag after O or another type starts a span (conlleval)."""
    spans, start, current = [], None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, label = tag.partition("-")
        continues = prefix == "I" and label == current
        if start is not None and not continues:
            spans.append((start, i, current))
            start, current = None, None
        if prefix in ("B", "I") and not continues:
            start, current = i, label
    return spans


class EntityTagger(BaseEstimator):
    """fit(docs) / predict(docs) over AnnotatedDocument records (only the text is read)."""

    def __init__(self, C: float = 1.0, random_state: int = 0):
        self.C = C
        self.random_state = random_state

    def fit(self, docs: Sequence[AnnotatedDocument], y=None) -> "EntityTagger":
        rows = [feats for doc in docs for feats in char_features(doc.text)]
        labels = [tag for doc in docs for tag in bio_tags(doc)]
        if len(set(labels)) < 2:
            raise ValueError("the training documents need at least one entity")
        self.vectorizer_ = fit_vectorizer(rows)
        self.model_ = LinearSVC(C=self.C, random_state=self.random_state)
        self.model_.fit(vectorize(self.vectorizer_, rows), labels)
        return self

    def predict_tags(self, text: str) -> list[str]:
        if not text:
            return []
        return list(self.model_.predict(vectorize(self.vectorizer_, char_features(text))))

    def predict(self, docs: Sequence[AnnotatedDocument]) -> list[AnnotatedDocument]:
        return [
            doc.with_annotations(entities=entities_from_tags(doc.text, self.predict_tags(doc.text)))
            for doc in docs
        ]
