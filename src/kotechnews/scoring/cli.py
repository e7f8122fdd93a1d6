"""`kotechnews score` and `kotechnews compare`: argument parsing and printing only."""

from __future__ import annotations

import enum
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:  # the scoring modules load numpy: imported by the commands that run
    from kotechnews.scoring.evaluate import Corpus
    from kotechnews.scoring.submission import Submission, ValidationIssue

from kotechnews.cli_paths import project_path
from kotechnews.formats import FORMATS
from kotechnews.scoring.defaults import DEFAULT_BOOTSTRAP, TASK_NAMES

TaskChoice = enum.Enum("TaskChoice", {name: name for name in (*TASK_NAMES, "all")}, type=str)
JSONL = "jsonl"
PredFormat = enum.Enum("PredFormat", {name: name for name in (JSONL, *FORMATS)}, type=str)

EXIT_INVALID = 2

_SPLIT = typer.Option(
    None, "--split", help="Score against a split of the released dataset (e.g. test)."
)
_DATASET = project_path(
    "dataset",
    "--dataset",
    help="Dataset the --split comes from: a folder or a Hub repo id "
    "(default: this project's dataset/).",
    text=True,
)
# Paths are checked by the reader (kotechnews.scoring.submission.read_records), so a wrong one is
# listed with the other input errors in the same one-line format.
_GOLD = typer.Option(None, "--gold", help="Gold JSONL file (same format, with text).")
_TRAIN = typer.Option(None, "--train", help="Train gold JSONL, enables relation Ign F1.")
_TASK = typer.Option(TaskChoice.all, "--task", help="Task to score.")
_JSON = typer.Option(False, "--json", help="Print the result as JSON.")
_BOOTSTRAP = typer.Option(
    DEFAULT_BOOTSTRAP, "--bootstrap", min=0, help="Bootstrap samples for 95% CIs (0: none)."
)
_SEED = typer.Option(0, "--seed", min=0, help="Seed of the bootstrap.")


def _finite(value: float) -> float:
    if not math.isfinite(value):  # inf passes min=0 and would make the result invalid JSON
        raise typer.BadParameter(f"must be a finite number, got {value}")
    return value


_RTOL = typer.Option(
    0.0,
    "--value-rtol",
    min=0.0,
    callback=_finite,
    help="Relative tolerance of claim value accuracy.",
)


def _gold(split: str | None, gold: Path | None, dataset: str) -> Corpus:
    from kotechnews.scoring.evaluate import Corpus
    from kotechnews.scoring.submission import load_gold, load_split_gold, source_name

    if (split is None) == (gold is None):
        raise typer.BadParameter("give exactly one of --split NAME or --gold FILE")
    if split is not None:
        return Corpus(load_split_gold(split, dataset), f"split:{split}")
    return Corpus(load_gold(gold), source_name(gold))


def _load(
    split: str | None,
    gold: Path | None,
    dataset: str,
    train: Path | None,
    predictions: list[Path],
    pred_format: str = JSONL,
) -> tuple[Corpus, Corpus | None, list[Submission]]:
    """Load gold, train and submissions, listing the errors of all inputs before exiting."""
    from kotechnews.formats.submission import load_formatted_submission
    from kotechnews.scoring.evaluate import Corpus
    from kotechnews.scoring.submission import (
        SubmissionError,
        load_gold,
        load_submission,
        source_name,
    )

    gold_corpus = _gold(split, gold, dataset)
    issues: list[ValidationIssue] = []
    train_corpus, submissions = None, []
    try:
        train_corpus = Corpus(load_gold(train), source_name(train)) if train else None
    except SubmissionError as exc:
        issues.extend(exc.issues)
    for path in predictions:
        try:
            submissions.append(
                load_submission(path, gold_corpus.documents)
                if pred_format == JSONL
                else load_formatted_submission(path, pred_format, gold_corpus.documents)
            )
        except SubmissionError as exc:
            issues.extend(exc.issues)
    if issues:
        raise SubmissionError(issues, ordered=True)
    return gold_corpus, train_corpus, submissions


def _tasks(task: TaskChoice, pred_format: str = JSONL) -> tuple[str, ...]:
    """The tasks to score; "all" of a format means the tasks it carries."""
    if task.value != "all":
        return (task.value,)
    return TASK_NAMES if pred_format == JSONL else FORMATS[pred_format].tasks


def _warn(issues: list[ValidationIssue]) -> None:
    from kotechnews.scoring.report import print_issues

    print_issues(issues, Console(stderr=True))


def score_command(
    pred: Path = typer.Option(..., "--pred", help="Submission file (JSONL unless --format)."),
    pred_format: PredFormat = typer.Option(
        JSONL,
        "--format",
        help="Format of --pred: jsonl, or one `kotechnews export` writes "
        "(read back with the gold texts; --task all then scores the "
        "tasks the format carries).",
    ),
    split: str | None = _SPLIT,
    gold: Path | None = _GOLD,
    dataset: str = _DATASET,
    train: Path | None = _TRAIN,
    task: TaskChoice = _TASK,
    as_json: bool = _JSON,
    bootstrap: int = _BOOTSTRAP,
    seed: int = _SEED,
    value_rtol: float = _RTOL,
) -> None:
    """Validate a submission and score it (entities, relations, numeric claims).

    Invalid input (a wrong path, a line that is not JSON, a value or item the format does not
    allow) exits with code 2, listing every error. Exact duplicates are errors: an entity with
    the same start, end and type as another, a claim on the same span as another, a relation
    with the same head, type and tail; a duplicate is never counted. Overlapping or nested spans
    that differ are each scored (a false positive when unmatched). An empty submission is
    scored as all-empty (every score 0) with one warning saying so, and exits 0.
    """
    from kotechnews.scoring.evaluate import score
    from kotechnews.scoring.report import print_result

    gold_corpus, train_corpus, (submission,) = _load(
        split, gold, dataset, train, [pred], pred_format.value
    )
    result = score(
        gold_corpus,
        submission,
        tasks=_tasks(task, pred_format.value),
        train=train_corpus,
        n_bootstrap=bootstrap,
        seed=seed,
        value_rtol=value_rtol,
    )
    if as_json:
        _warn(submission.warnings)
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        print_result(result, Console())


def compare_command(
    pred_a: Path = typer.Argument(..., help="Submission A (JSONL)."),
    pred_b: Path = typer.Argument(..., help="Submission B (JSONL)."),
    split: str | None = _SPLIT,
    gold: Path | None = _GOLD,
    dataset: str = _DATASET,
    train: Path | None = _TRAIN,
    task: TaskChoice = _TASK,
    as_json: bool = _JSON,
    bootstrap: int = typer.Option(
        DEFAULT_BOOTSTRAP, "--bootstrap", min=1, help="Bootstrap samples of the paired test."
    ),
    seed: int = _SEED,
    value_rtol: float = _RTOL,
) -> None:
    """Paired bootstrap test: is submission A better than B on each headline metric?"""
    from kotechnews.scoring.evaluate import compare
    from kotechnews.scoring.report import print_comparison

    gold_corpus, train_corpus, (submission_a, submission_b) = _load(
        split, gold, dataset, train, [pred_a, pred_b]
    )
    result = compare(
        gold_corpus,
        submission_a,
        submission_b,
        tasks=_tasks(task),
        train=train_corpus,
        n_bootstrap=bootstrap,
        seed=seed,
        value_rtol=value_rtol,
    )
    if as_json:
        _warn([*submission_a.warnings, *submission_b.warnings])
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        print_comparison(result, Console())
