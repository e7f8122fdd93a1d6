"""Score a submission against gold, and compare two submissions: the library behind the CLI.

``score`` returns the result dictionary described in ``kotechnews.leaderboard`` (what
``kotechnews score --json`` prints); ``compare`` returns a paired-bootstrap comparison.
Each task module (entities, relations, claims) provides ``count_document`` (per-document count
arrays), ``metrics`` (metric values from summed counts, vectorised over bootstrap samples),
``HEADLINE`` (the metrics the leaderboard shows and ``compare`` tests) and optionally
``breakdown`` (per-type table).
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from types import ModuleType
from typing import Any

import numpy as np

import kotechnews
from kotechnews import schema
from kotechnews.records import AnnotatedDocument
from kotechnews.scoring import claims, entities, relations
from kotechnews.scoring.bootstrap import (
    CONFIDENCE,
    MIN_DOCUMENTS,
    Counts,
    is_degenerate,
    paired_p_value,
    percentile_interval,
    sample_metrics,
    stack_counts,
    totals,
)
from kotechnews.scoring.defaults import DEFAULT_BOOTSTRAP, RESULT_FORMAT, TASK_NAMES
from kotechnews.scoring.submission import Submission

COMPARISON_FORMAT = "kotechnews-comparison/1"
TASKS: dict[str, ModuleType] = {module.NAME: module for module in (entities, relations, claims)}
if tuple(TASKS) != TASK_NAMES:  # the command line offers defaults.TASK_NAMES
    raise ImportError(f"scoring tasks {tuple(TASKS)} differ from defaults.TASK_NAMES {TASK_NAMES}")


@dataclass(frozen=True)
class ScoringOptions:
    train_facts: frozenset | None = None  # relation facts of the train gold, for Ign F1
    value_rtol: float = 0.0  # relative tolerance of claim value accuracy


@dataclass(frozen=True)
class Corpus:
    """Documents plus where they came from (a file path or "split:NAME")."""

    documents: Sequence[AnnotatedDocument]
    source: str

    def describe(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "documents": len(self.documents),
            "fingerprint": fingerprint(self.documents),
        }


def fingerprint(documents: Sequence[AnnotatedDocument]) -> str:
    """SHA-256 of the documents' canonical JSON: results on different gold never mix."""
    canonical = json.dumps(
        [d.to_dict() for d in documents], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def versions() -> dict[str, str]:
    try:
        package = metadata.version("kotechnews")
    except metadata.PackageNotFoundError:
        package = kotechnews.__version__
    return {
        "kotechnews": package,
        "schema": schema.SCHEMA_VERSION,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }


def _options(train: Corpus | None, value_rtol: float) -> ScoringOptions:
    facts = relations.train_facts(train.documents) if train is not None else None
    return ScoringOptions(train_facts=facts, value_rtol=value_rtol)


def count_table(
    task: ModuleType,
    gold: Sequence[AnnotatedDocument],
    predicted: Sequence[AnnotatedDocument],
    options: ScoringOptions,
) -> Counts:
    """Per-document counts, stacked to (documents, k) arrays."""
    return stack_counts([task.count_document(g, p, options) for g, p in zip(gold, predicted)])


def _check_tasks(tasks: Sequence[str]) -> None:
    unknown = [t for t in tasks if t not in TASKS]
    if unknown or not tasks:
        raise ValueError(f"unknown task(s) {unknown}; choose from {', '.join(TASK_NAMES)}")


def _scalar(value: np.ndarray) -> float:
    return float(np.asarray(value).reshape(()))


def _too_few(gold: Corpus, consequence: str) -> str:
    return (
        f"only {len(gold.documents)} scored document(s): fewer than {MIN_DOCUMENTS}, so "
        f"{consequence}"
    )


def score(
    gold: Corpus,
    submission: Submission,
    *,
    tasks: Sequence[str] = TASK_NAMES,
    train: Corpus | None = None,
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    value_rtol: float = 0.0,
) -> dict[str, Any]:
    """Score an aligned submission (``load_submission`` of a file, ``submission_from_documents``
    of records from code); CIs from n_bootstrap document resamples (0: none)."""
    _check_tasks(tasks)
    options = _options(train, value_rtol)
    tables = {
        name: count_table(TASKS[name], gold.documents, submission.documents, options)
        for name in tasks
    }
    warnings = [str(issue) for issue in submission.warnings]
    intervals = n_bootstrap > 0 and len(gold.documents) >= MIN_DOCUMENTS
    if n_bootstrap and not intervals:
        warnings.append(_too_few(gold, "no confidence interval is reported"))
    samples = (
        dict(
            zip(
                tasks,
                sample_metrics(
                    [(tables[name], TASKS[name].metrics) for name in tasks], n_bootstrap, seed
                ),
            )
        )
        if intervals
        else {}
    )
    degenerate = sorted(
        f"{name}.{metric}"
        for name in samples
        for metric, values in samples[name].items()
        if is_degenerate(values)
    )
    if degenerate:
        warnings.append(
            "every bootstrap resample gives the same value for "
            f"{', '.join(degenerate)}: no interval is reported for them"
        )
    results = {}
    for name in tasks:
        task, summed = TASKS[name], totals(tables[name])
        point = task.metrics(summed)
        result = {
            "headline": [m for m in task.HEADLINE if m in point],
            "metrics": {
                metric: {
                    "value": _scalar(value),
                    "ci": (
                        list(percentile_interval(samples[name][metric]))
                        if intervals and f"{name}.{metric}" not in degenerate
                        else None
                    ),
                }
                for metric, value in point.items()
            },
            "totals": {count: float(values.sum()) for count, values in summed.items()},
        }
        if hasattr(task, "breakdown"):
            result["per_type"] = task.breakdown(summed)
        results[name] = result
    return {
        "format": RESULT_FORMAT,
        "name": None,
        "url": None,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "gold": gold.describe(),
        "submission": {
            "source": submission.source,
            "documents": submission.n_submitted,
            "fingerprint": fingerprint(submission.documents),
        },
        "train": train.describe() if train is not None else None,
        "bootstrap": {"samples": n_bootstrap, "seed": seed, "confidence": CONFIDENCE},
        "options": {"value_rtol": value_rtol},
        "tasks": results,
        "warnings": warnings,
        "versions": versions(),
    }


def compare(
    gold: Corpus,
    a: Submission,
    b: Submission,
    *,
    tasks: Sequence[str] = TASK_NAMES,
    train: Corpus | None = None,
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    value_rtol: float = 0.0,
) -> dict[str, Any]:
    """Paired bootstrap test of A against B on every headline metric of each task."""
    _check_tasks(tasks)
    if n_bootstrap < 1:
        raise ValueError("a paired bootstrap test needs at least one sample")
    options = _options(train, value_rtol)
    warnings = [str(issue) for issue in (*a.warnings, *b.warnings)]
    few = len(gold.documents) < MIN_DOCUMENTS
    if few:
        warnings.append(_too_few(gold, "no interval or p-value is reported"))
    results = {}
    for name in tasks:
        task = TASKS[name]
        table_a = count_table(task, gold.documents, a.documents, options)
        table_b = count_table(task, gold.documents, b.documents, options)
        point_a, point_b = task.metrics(totals(table_a)), task.metrics(totals(table_b))
        samples_a, samples_b = sample_metrics(
            [(table_a, task.metrics), (table_b, task.metrics)], n_bootstrap, seed
        )
        results[name] = {}
        for metric in (m for m in task.HEADLINE if m in point_a):
            delta = samples_a[metric] - samples_b[metric]
            tested = not few and not is_degenerate(delta)
            if not few and not tested:
                warnings.append(
                    f"{name}.{metric}: every bootstrap resample gives the same "
                    "difference: no interval or p-value is reported"
                )
            results[name][metric] = {
                "a": _scalar(point_a[metric]),
                "b": _scalar(point_b[metric]),
                "delta": _scalar(point_a[metric] - point_b[metric]),
                "delta_ci": list(percentile_interval(delta)) if tested else None,
                "p_value": paired_p_value(samples_a[metric], samples_b[metric]) if tested else None,
            }
    return {
        "format": COMPARISON_FORMAT,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "gold": gold.describe(),
        "a": {"source": a.source, "fingerprint": fingerprint(a.documents)},
        "b": {"source": b.source, "fingerprint": fingerprint(b.documents)},
        "train": train.describe() if train is not None else None,
        "bootstrap": {"samples": n_bootstrap, "seed": seed, "confidence": CONFIDENCE},
        "options": {"value_rtol": value_rtol},
        "tasks": results,
        "warnings": warnings,
        "versions": versions(),
    }
