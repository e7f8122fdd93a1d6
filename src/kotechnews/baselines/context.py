"""Shared context features for the pair and claim classifiers: sentences and nearby morphemes."""

from __future__ import annotations

from functools import lru_cache

from kotechnews.records import AnnotatedDocument
from kotechnews.segment import split_sentences, tokenize_morphemes


@lru_cache(maxsize=256)
def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(split_sentences(text))


@lru_cache(maxsize=256)
def _morphemes(text: str):
    return tuple(tokenize_morphemes(text))


def sentence_of(doc: AnnotatedDocument, offset: int) -> int:
    sentences = doc.meta.get("sentences") or _sentences(doc.text)
    for index, (start, end) in enumerate(sentences):
        if offset < end:
            return index
    return len(sentences) - 1


def sentence_bounds(doc: AnnotatedDocument, index: int) -> tuple[int, int]:
    sentences = doc.meta.get("sentences") or _sentences(doc.text)
    start, end = sentences[index]
    return start, end


def morphemes_between(doc: AnnotatedDocument, start: int, end: int) -> list[str]:
    """Morpheme forms/tags fully inside [start, end)."""
    return [f"{m.form}/{m.tag}" for m in _morphemes(doc.text) if start <= m.start and m.end <= end]


def morpheme_after(doc: AnnotatedDocument, offset: int) -> str:
    for m in _morphemes(doc.text):
        if m.start >= offset:
            return f"{m.form}/{m.tag}"
    return "</s>"


def morpheme_before(doc: AnnotatedDocument, offset: int) -> str:
    before = "<s>"
    for m in _morphemes(doc.text):
        if m.end > offset:
            break
        before = f"{m.form}/{m.tag}"
    return before
