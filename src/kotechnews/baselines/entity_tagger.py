"""Character-level BIO entity tagger: a linear model over window features.

Characters are the tokens, as in KLUE-NER, so spans can stop before a particle (KT|가) and no
tokeniser alignment is needed. Each character gets features from a ±2 window of characters, its
character class and the Kiwi morpheme tag covering it; a logistic regression predicts its BIO tag,
and runs of tags become spans.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression

from kotechnews import schema
from kotechnews.records import AnnotatedDocument, Entity
from kotechnews.segment import tokenize_morphemes

BIO_LABELS = schema.bio_labels()
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
    for morpheme in tokenize_morphemes(text):
        for i in range(morpheme.start, morpheme.end):
            if tags[i] == "-":
                tags[i] = morpheme.tag
        if morpheme.start < len(text):
            starts[morpheme.start] = True
    return [f"{tag}{'^' if start else ''}" for tag, start in zip(tags, starts)]


def char_features(text: str) -> list[list[str]]:
    """Feature strings for every character of text."""
    tags = _morpheme_tags(text)
    padded = "\x02" * WINDOW + text + "\x03" * WINDOW
    classes = [char_class(c) for c in text]
    out = []
    for i in range(len(text)):
        p = i + WINDOW
        feats = [f"c={padded[p]}", f"cls={classes[i]}", f"mt={tags[i]}",
                 f"mt-1={tags[i - 1] if i else '<s>'}",
                 f"mt+1={tags[i + 1] if i + 1 < len(text) else '</s>'}",
                 f"b-={padded[p - 1:p + 1]}", f"b+={padded[p:p + 2]}",
                 f"t={padded[p - 1:p + 2]}"]
        feats += [f"c{k:+d}={padded[p + k]}" for k in range(-WINDOW, WINDOW + 1) if k]
        feats += [f"cls{k:+d}={classes[i + k]}" for k in (-1, 1) if 0 <= i + k < len(text)]
        out.append(feats)
    return out


def bio_tags(doc: AnnotatedDocument) -> list[str]:
    """Gold BIO tag per character of the document text."""
    tags = ["O"] * len(doc.text)
    for ent in doc.entities:
        tags[ent.start] = f"B-{ent.type}"
        for i in range(ent.start + 1, ent.end):
            tags[i] = f"I-{ent.type}"
    return tags


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
    """fit(docs) / predict(docs) over AnnotatedDocument records."""

    def __init__(self, C: float = 4.0, n_features: int = 2**20, random_state: int = 0):
        self.C = C
        self.n_features = n_features
        self.random_state = random_state

    def _matrix(self, docs: Sequence[AnnotatedDocument]):
        hasher = FeatureHasher(n_features=self.n_features, input_type="string")
        rows = [feats for doc in docs for feats in char_features(doc.text)]
        return hasher.transform(rows)

    def fit(self, docs: Sequence[AnnotatedDocument], y=None) -> "EntityTagger":
        labels = np.array([tag for doc in docs for tag in bio_tags(doc)])
        self.model_ = LogisticRegression(C=self.C, max_iter=300, random_state=self.random_state)
        self.model_.fit(self._matrix(docs), labels)
        return self

    def predict(self, docs: Sequence[AnnotatedDocument]) -> list[AnnotatedDocument]:
        predicted = self.model_.predict(self._matrix(docs))
        out, offset = [], 0
        for doc in docs:
            tags = predicted[offset:offset + len(doc.text)]
            offset += len(doc.text)
            entities = []
            for start, end, label in spans_from_tags(tags):
                while start < end and doc.text[start].isspace():
                    start += 1
                while end > start and doc.text[end - 1].isspace():
                    end -= 1
                if start < end:
                    entities.append(Entity(f"p{len(entities) + 1}", start, end, label,
                                           doc.text[start:end]))
            out.append(AnnotatedDocument(id=doc.id, text=doc.text, entities=entities))
        return out
