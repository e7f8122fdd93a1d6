"""The document: one clean article as ingest makes it, carried unchanged by every later step.

Ingest produces it; the Label Studio task data, the worksheet compiler, the gold records and the
dataset rows all carry the same fields, each in its own serialised shape:

- ``row()``: ingest's documents.jsonl and the dataset's ``documents`` config (spans as
  ``{"start", "end"}`` objects);
- ``task_data()``: Label Studio task data (spans as ``[start, end]`` pairs, the id as ``doc_id``);
- ``record_meta()``: the ``meta`` object of a JSONL record (gold files, submissions).

Offsets are Python code-point offsets into ``text``, end exclusive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Span = tuple[int, int]
DOC_ID = "doc_id"  # the task data key that names the document
# What a document says about itself, in every serialised shape and every dataset config.
METADATA: tuple[str, ...] = (
    "source_file",
    "outlet",
    "date",
    "title",
    "url",
    "license",
    "source",
)


def _spans(spans: Iterable[Any]) -> tuple[Span, ...]:
    """(start, end) pairs from ``[start, end]`` pairs or ``{"start", "end"}`` objects."""
    return tuple(
        (span["start"], span["end"]) if isinstance(span, Mapping) else (span[0], span[1])
        for span in spans
    )


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    sentences: tuple[Span, ...] = ()
    # None where a source does not carry them (a JSONL record, a prediction's input): paragraphs
    # come from ingest only, never re-derived from the text
    paragraphs: tuple[Span, ...] | None = None
    source_file: str | None = None
    outlet: str | None = None
    date: str | None = None
    title: str | None = None
    url: str | None = None
    license: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        # accept lists from JSON; store tuples so that a Document is hashable and comparable
        object.__setattr__(self, "sentences", _spans(self.sentences))
        if self.paragraphs is not None:
            object.__setattr__(self, "paragraphs", _spans(self.paragraphs))

    def metadata(self) -> dict[str, str | None]:
        return {key: getattr(self, key) for key in METADATA}

    def sentence_texts(self) -> list[str]:
        return [self.text[start:end] for start, end in self.sentences]

    def row(self) -> dict[str, Any]:
        """documents.jsonl and dataset shape (the dataset adds split and fold)."""
        return {
            "id": self.id,
            **self.metadata(),
            "text": self.text,
            "sentences": [{"start": s, "end": e} for s, e in self.sentences],
            "paragraphs": [{"start": s, "end": e} for s, e in self.paragraphs or ()],
        }

    def task_data(self) -> dict[str, Any]:
        """Label Studio task data (the document id travels with it as ``doc_id``)."""
        data: dict[str, Any] = {
            "text": self.text,
            DOC_ID: self.id,
            **self.metadata(),
            "sentences": [[s, e] for s, e in self.sentences],
        }
        if self.paragraphs is not None:
            data["paragraphs"] = [[s, e] for s, e in self.paragraphs]
        return data

    def record_meta(self) -> dict[str, Any]:
        """The ``meta`` of a JSONL record: metadata and sentence spans (evidence indexes them).
        Paragraphs stay out: the record format, and the gold fingerprints over it, predate them."""
        return {**self.metadata(), "sentences": [[s, e] for s, e in self.sentences]}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Document:
        """From a documents.jsonl or dataset row (other keys, such as split, are not read)."""
        paragraphs = row.get("paragraphs")
        return cls(
            id=row["id"],
            text=row["text"],
            sentences=_spans(row.get("sentences") or ()),
            paragraphs=None if paragraphs is None else _spans(paragraphs),
            **{key: row.get(key) for key in METADATA},
        )

    @classmethod
    def from_task_data(cls, data: Mapping[str, Any]) -> Document:
        """From Label Studio task data that ``kotechnews.labelstudio.validate`` accepted."""
        return cls.from_row({**data, "id": data[DOC_ID]})

    @classmethod
    def from_record_meta(cls, doc_id: str, text: str, meta: Mapping[str, Any]) -> Document:
        return cls.from_row({**meta, "id": doc_id, "text": text, "paragraphs": None})
