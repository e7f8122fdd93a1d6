"""Scoring of KoTechNews submissions: validation, metrics, bootstrap, reports.

Pure functions with clear inputs (as in seqeval and nervaluate); ``kotechnews score`` and
``kotechnews compare`` are thin wrappers in ``kotechnews.scoring.cli``.
"""

from kotechnews.scoring.entities import bio_classification_report
from kotechnews.scoring.evaluate import TASK_NAMES, Corpus, compare, score
from kotechnews.scoring.submission import (
    Submission, SubmissionError, ValidationIssue, gold_from_documents, load_gold,
    load_split_gold, load_submission, submission_schema)

__all__ = [
    "TASK_NAMES", "Corpus", "Submission", "SubmissionError", "ValidationIssue",
    "bio_classification_report", "compare", "gold_from_documents", "load_gold",
    "load_split_gold", "load_submission", "score", "submission_schema",
]
