"""Shared context for the feature extractors: sentences, nearby morphemes, string features.

Morphemes and sentences are computed once per text and looked up by binary search, so a feature
costs O(log n) instead of a scan of the document.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from sklearn.feature_extraction import DictVectorizer

from kotechnews.records import AnnotatedDocument
from kotechnews.segment import split_sentences, tokenize_morphemes


@dataclass(frozen=True)
class MorphemeIndex:
    labels: tuple[str, ...]  # "form/TAG" per morpheme, in text order
    starts: tuple[int, ...]
    ends: tuple[int, ...]


@lru_cache(maxsize=256)
def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(split_sentences(text))


@lru_cache(maxsize=256)
def morpheme_index(text: str) -> MorphemeIndex:
    morphemes = tokenize_morphemes(text)
    return MorphemeIndex(
        tuple(f"{m.form}/{m.tag}" for m in morphemes),
        tuple(m.start for m in morphemes),
        tuple(m.end for m in morphemes),
    )


def sentences(doc: AnnotatedDocument) -> Sequence[Sequence[int]]:
    """Sentence spans: the ingested ones the document carries, else Kiwi's."""
    return doc.sentences or _sentences(doc.text)


def sentence_of(doc: AnnotatedDocument, offset: int) -> int:
    spans = sentences(doc)
    ends = [end for _, end in spans]
    return min(bisect.bisect_right(ends, offset), len(spans) - 1)


def sentence_bounds(doc: AnnotatedDocument, index: int) -> tuple[int, int]:
    start, end = sentences(doc)[index]
    return start, end


def morphemes_between(doc: AnnotatedDocument, start: int, end: int) -> list[str]:
    """Morpheme forms/tags fully inside [start, end)."""
    index = morpheme_index(doc.text)
    first, stop = bisect.bisect_left(index.starts, start), bisect.bisect_left(index.starts, end)
    return [index.labels[i] for i in range(first, stop) if index.ends[i] <= end]


def morpheme_after(doc: AnnotatedDocument, offset: int) -> str:
    index = morpheme_index(doc.text)
    position = bisect.bisect_left(index.starts, offset)
    return index.labels[position] if position < len(index.labels) else "</s>"


def morpheme_before(doc: AnnotatedDocument, offset: int) -> str:
    """The morpheme before the first one that ends after offset (Kiwi's ends never decrease)."""
    index = morpheme_index(doc.text)
    crossing = bisect.bisect_right(index.ends, offset)
    return index.labels[crossing - 1] if crossing else "<s>"


def _as_dicts(rows: Iterable[Sequence[str]]) -> list[dict[str, float]]:
    return [dict.fromkeys(features, 1.0) for features in rows]


def fit_vectorizer(rows: Iterable[Sequence[str]]) -> DictVectorizer:
    """One-hot columns for the feature strings seen in training (unseen ones are ignored)."""
    return DictVectorizer(dtype=float, sort=True).fit(_as_dicts(rows))


def vectorize(vectorizer: DictVectorizer, rows: Iterable[Sequence[str]]):
    """CSR matrix of feature-string rows, with the 32-bit indices liblinear requires."""
    matrix = vectorizer.transform(_as_dicts(rows)).tocsr()
    matrix.indices = matrix.indices.astype(np.int32)
    matrix.indptr = matrix.indptr.astype(np.int32)
    return matrix
