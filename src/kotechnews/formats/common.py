"""What the format modules share: the error they raise, sentence segments, reference lookup.

Readers take the gold (or any records with the same ids and texts) as ``reference``: the formats
keep characters or sentence-relative offsets only, and the document text gives back code-point
offsets into it. Every reader error is a ``FormatError`` naming the file, the line (or, for a JSON
file, the item) and the field.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kotechnews import jsonio
from kotechnews.errors import KoTechNewsError
from kotechnews.records import AnnotatedDocument, Entity


class FormatError(KoTechNewsError, ValueError):
    """Bad input or a record a format cannot carry; names file, line or item, and field."""

    def __init__(
        self,
        source: str | Path,
        message: str,
        *,
        line: int | None = None,
        item: str | None = None,
        field: str | None = None,
    ):
        self.source, self.line, self.item, self.field = str(source), line, item, field
        self.message = message
        where = self.source + (f":{line}" if line is not None else "")
        target = ".".join(part for part in (item, field) if part)
        super().__init__(f"{where}: {target + ': ' if target else ''}{message}")


def sentence_spans(doc: AnnotatedDocument) -> list[tuple[int, int]]:
    """The document's sentence spans, or the whole text as one."""
    spans = doc.sentences or [(0, len(doc.text or ""))]
    return [(int(start), int(end)) for start, end in spans]


def sentence_index(doc: AnnotatedDocument, start: int, end: int) -> int | None:
    """Index of the sentence that holds [start, end), or None when it crosses a boundary."""
    for index, (s_start, s_end) in enumerate(sentence_spans(doc)):
        if s_start <= start and end <= s_end:
            return index
    return None


def require_sentence(doc: AnnotatedDocument, span, kind: str, source: str | Path) -> int:
    """The sentence of an entity or claim, or an error: a sentence-based format cannot carry it."""
    index = sentence_index(doc, span.start, span.end)
    if index is None:
        raise FormatError(
            source,
            f"{kind} {span.id!r} [{span.start}:{span.end}] crosses a "
            f"sentence boundary; this format keeps spans inside sentences",
            item=f"document {doc.id!r}",
        )
    return index


def require_no_overlap(
    doc: AnnotatedDocument, spans: Sequence, source: str | Path, what: str
) -> None:
    """One tag per character: overlapping or nested spans cannot be written as BIO tags."""
    ordered = sorted(spans, key=lambda span: (span.start, span.end))
    for first, second in zip(ordered, ordered[1:]):
        if second.start < first.end:
            raise FormatError(
                source,
                f"{first.id!r} [{first.start}:{first.end}] and "
                f"{second.id!r} [{second.start}:{second.end}] overlap; "
                f"{what} carries one tag per character",
                item=f"document {doc.id!r}",
            )


def references_by_id(reference: Iterable[AnnotatedDocument]) -> dict[str, AnnotatedDocument]:
    return {doc.id: doc for doc in reference}


def reference_for(
    references: dict[str, AnnotatedDocument],
    doc_id: str,
    source: str | Path,
    *,
    line: int | None = None,
    item: str | None = None,
    field: str | None = None,
) -> AnnotatedDocument:
    if doc_id not in references:
        raise FormatError(
            source,
            f"unknown document id {doc_id!r} (not in the reference documents)",
            line=line,
            item=item,
            field=field,
        )
    return references[doc_id]


def read_text(path: str | Path) -> str:
    """The file as UTF-8 text; a missing, unreadable or non-UTF-8 file is a FormatError."""
    try:
        # stat before open: opening a FIFO would wait for a writer, a device never ends
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise FormatError(path, "cannot read: not a regular file")
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(path, f"not UTF-8 (byte 0x{data[exc.start]:02x})", line=line) from None


def read_json(path: str | Path) -> Any:
    try:
        return jsonio.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise FormatError(
            path, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from None
    except jsonio.InvalidJSON as exc:
        raise FormatError(path, f"invalid JSON: {exc}") from None


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1) + "\n"


def numbered_entities(spans: Iterable[tuple[int, int, str]], text: str) -> list[Entity]:
    """Entities read back from a format that has no ids: e1, e2, ... in text order."""
    ordered = sorted(set(spans))
    return [
        Entity(id=f"e{number}", start=start, end=end, type=entity_type, text=text[start:end])
        for number, (start, end, entity_type) in enumerate(ordered, start=1)
    ]


def char_and_tag(
    fields: Sequence[str],
    layout: str,
    tags: Iterable[str],
    type_names: Iterable[str],
    source: str | Path,
    line: int,
) -> tuple[str, str]:
    """The character and BIO tag of one line of a character-per-line format."""
    if len(fields) != 2:
        raise FormatError(source, f"expected {layout!r}, got {len(fields)} column(s)", line=line)
    char, tag = fields
    if tag not in tags:
        raise FormatError(
            source,
            f"unknown tag {tag!r}; allowed: O, B-/I- with {', '.join(type_names)}",
            line=line,
            field="tag",
        )
    return char, tag


def expect(condition: bool, source: str | Path, message: str, **where) -> None:
    if not condition:
        raise FormatError(source, message, **where)
