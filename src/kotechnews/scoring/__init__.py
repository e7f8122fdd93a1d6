"""Scoring of KoTechNews submissions: validation, metrics, bootstrap, reports.

Pure functions with clear inputs (as in seqeval and nervaluate); ``kotechnews score`` and
``kotechnews compare`` are thin wrappers in ``kotechnews.scoring.cli``.
"""

from kotechnews.lazy import lazy_attributes

_MODULES = {
    **dict.fromkeys(("TASK_NAMES", "Corpus", "compare", "score"), "evaluate"),
    **dict.fromkeys(
        (
            "Submission",
            "SubmissionError",
            "ValidationIssue",
            "gold_from_documents",
            "load_gold",
            "load_split_gold",
            "load_submission",
            "submission_from_documents",
            "submission_schema",
        ),
        "submission",
    ),
}
__all__ = sorted(_MODULES)
__getattr__ = lazy_attributes(__name__, _MODULES)
