"""Predictions in another format, read back and validated as a JSONL submission would be."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kotechnews.formats import FORMATS, FormatError
from kotechnews.records import AnnotatedDocument
from kotechnews.scoring.submission import (
    Submission,
    SubmissionError,
    ValidationIssue,
    source_name,
    submission_from_documents,
)


def load_formatted_submission(
    path: str | Path, format_name: str, gold: Sequence[AnnotatedDocument]
) -> Submission:
    """Read predictions in ``format_name`` (texts from the gold), then validate and align them
    with ``kotechnews.scoring.submission``: the same checks and messages as for JSONL."""
    source = source_name(path)
    try:
        documents = FORMATS[format_name].read(path, gold)
    except FormatError as exc:
        raise SubmissionError(
            [ValidationIssue("error", source, exc.line, None, exc.item, exc.field, exc.message)]
        ) from None
    # a converted record has no line of its own; issues name document and item
    return submission_from_documents(documents, source, gold, numbered=False)
