"""Korean sentence splitting and morpheme analysis with code-point offsets (kiwipiepy).

All offsets are Python code-point offsets into the text that was passed in, so
``text[start:end]`` is the span a sentence or morpheme covers. Paragraphs are separated by
"\\n"; a sentence never crosses a newline.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

_PARAGRAPH = re.compile(r"[^\n]+")
# Kiwi's sentence splitting grows faster than linearly beyond some 50,000 characters, so longer
# paragraphs are split in chunks of at most this many, each ending at the last sentence end (else
# space) of the chunk. No real paragraph comes near it (the longest has 1641 characters).
_KIWI_CHUNK = 20_000
_CHUNK_END = re.compile(r".*[.!?。][\"'”’」』)\]]*\s|.*\s", re.S)


class Morpheme(NamedTuple):
    """One morpheme. ``form`` is Kiwi's normalised form and may differ from ``text[start:end]``
    (e.g. 했다 gives 하/VV and 었/EP, both spanning 했; a copula 이 can be zero-length)."""

    form: str
    tag: str
    start: int
    end: int


@lru_cache(maxsize=1)
def kiwi() -> Kiwi:
    """The process-wide Kiwi analyser, created on first use (creation takes about a second; the
    import alone a tenth, which commands that never segment should not pay)."""
    from kiwipiepy import Kiwi

    return Kiwi()


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _chunks(paragraph: str) -> list[tuple[int, str]]:
    """``paragraph`` as (offset, text) chunks of at most _KIWI_CHUNK characters."""
    chunks, start = [], 0
    while len(paragraph) - start > _KIWI_CHUNK:
        end = _CHUNK_END.match(paragraph, start, start + _KIWI_CHUNK)
        stop = end.end() if end and end.end() > start else start + _KIWI_CHUNK
        chunks.append((start, paragraph[start:stop]))
        start = stop
    chunks.append((start, paragraph[start:]))
    return chunks


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``, in order, trimmed of surrounding whitespace.

    Each "\\n"-separated paragraph is split on its own, so no sentence crosses a newline.
    Whatever Kiwi leaves between two of its sentences is kept with the sentence before it,
    so every non-whitespace character of the text lies inside exactly one sentence.
    """
    spans: list[tuple[int, int]] = []
    for paragraph in _PARAGRAPH.finditer(text):
        base, par = paragraph.start(), paragraph.group()
        cuts = sorted(
            {chunk + s.start for chunk, part in _chunks(par) for s in kiwi().split_into_sents(part)}
            - {0}
        )
        bounds = [0, *(c for c in cuts if c < len(par)), len(par)]
        for start, end in zip(bounds, bounds[1:]):
            span = _trimmed(text, base + start, base + end)
            if span is not None:
                spans.append(span)
    return spans


def tokenize_morphemes(text: str) -> list[Morpheme]:
    """Kiwi's best analysis of ``text`` as morphemes with code-point offsets into ``text``."""
    return [
        Morpheme(token.form, token.tag, token.start, token.start + token.len)
        for token in kiwi().tokenize(text)
    ]
