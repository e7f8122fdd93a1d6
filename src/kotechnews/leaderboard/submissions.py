"""`kotechnews leaderboard add`: score a predictions file against the gold of its protocol and
store the result. The leaderboard never takes a score on trust: the predictions are read with the
scorer's own reader (``kotechnews.scoring.submission``, every check of ``kotechnews score``) and
scored with its library (``kotechnews.scoring.evaluate.score``, 1,000 bootstrap resamples, seed 0),
so an entry's numbers are what ``kotechnews score`` gives on the same file and gold.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kotechnews import jsonio
from kotechnews.layout import Layout
from kotechnews.leaderboard.dataset import (
    ProtocolGold,
    dataset_label,
    dataset_version,
    protocol_gold,
)
from kotechnews.leaderboard.entries import (
    PROTOCOLS,
    SCORED_BY_SUBMISSION,
    LeaderboardError,
    entry_path,
    entry_problems,
    store_result,
)
from kotechnews.scoring.defaults import DEFAULT_BOOTSTRAP
from kotechnews.scoring.evaluate import Corpus, score
from kotechnews.scoring.submission import (
    MAX_LINE_BYTES,
    Submission,
    SubmissionError,
    load_submission,
    source_name,
)

SEED = 0


def _scored_format(path: str | Path) -> str | None:
    """The format tag when the file is one kotechnews JSON document (a result or comparison)
    rather than predictions; None otherwise, and for anything the submission reader reports."""
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_LINE_BYTES:
            return None
        data = jsonio.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # unreadable, not UTF-8, not one JSON value: JSON Lines?
        return None
    tag = data.get("format") if isinstance(data, dict) else None
    return tag if isinstance(tag, str) and tag.startswith("kotechnews-") else None


def refuse_scored_file(path: str | Path) -> None:
    tag = _scored_format(path)
    if tag is not None:
        raise LeaderboardError(
            [
                f"{source_name(path)}: this is a {tag} file (scores), not predictions: the "
                f"leaderboard scores every entry itself. Submit the predictions JSONL you scored "
                f"(one document per line, as for `kotechnews score --pred`): kotechnews leaderboard "
                f"add PREDICTIONS.jsonl --name NAME --protocol test|cross-validation"
            ]
        )


def fold_headlines(gold: ProtocolGold, submission: Submission) -> list[dict[str, Any]]:
    """Each cross-validation fold's headline scores (no intervals) of the pooled predictions."""
    folds = []
    for fold in sorted(set(gold.folds.values())):
        indices = [i for i, d in enumerate(gold.gold.documents) if gold.folds[d.id] == fold]
        part = Corpus([gold.gold.documents[i] for i in indices], f"{gold.gold.source} fold {fold}")
        predicted = [submission.documents[i] for i in indices]
        scored = score(
            part, Submission(submission.source, predicted, [], len(predicted)), n_bootstrap=0
        )
        folds.append(
            {
                "fold": fold,
                "documents": len(indices),
                "headline": {
                    task: {metric: body["metrics"][metric]["value"] for metric in body["headline"]}
                    for task, body in scored["tasks"].items()
                },
            }
        )
    return folds


def score_predictions(
    predictions: str | Path,
    protocol: str,
    dataset: str | Path,
    progress: Callable[[str], None] = lambda message: None,
    layout: Layout | None = None,
) -> dict[str, Any]:
    """The result of a predictions file under a protocol (a value of PROTOCOLS), with the gold
    fingerprint, the dataset version and ``scored_by``; raises LeaderboardError naming the file
    and line of every problem the scorer finds. A dataset folder is named relative to the
    project of ``layout`` (default: discovered)."""
    refuse_scored_file(predictions)
    version = dataset_version(dataset)
    label = dataset_label(dataset, layout)
    progress(f"loading the {protocol} gold of {label} {version}")
    gold = protocol_gold(dataset, protocol)
    try:
        submission = load_submission(predictions, gold.gold.documents)
    except SubmissionError as exc:
        raise LeaderboardError([str(issue) for issue in exc.issues]) from None
    progress(
        f"scoring {len(gold.gold.documents)} documents ({DEFAULT_BOOTSTRAP} bootstrap resamples)"
    )
    result = score(
        gold.gold, submission, train=gold.train, n_bootstrap=DEFAULT_BOOTSTRAP, seed=SEED
    )
    result.update(
        protocol=protocol,
        scored_by=SCORED_BY_SUBMISSION,
        dataset={"source": label, "version": version},
    )
    if gold.folds:
        result["folds"] = fold_headlines(gold, submission)
    return result


def add_submission(
    predictions: str | Path,
    *,
    name: str,
    protocol: str,
    url: str | None = None,
    revision: str | None = None,
    dataset: str | Path,
    results_dir: str | Path | None = None,
    replace: bool = False,
    progress: Callable[[str], None] = lambda message: None,
    layout: Layout | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Score predictions and store the entry; returns its path and the stored result. The
    entry goes into results_dir (default: the leaderboard results of ``layout``, default:
    discovered)."""
    layout = layout or Layout.discover()
    results_dir = results_dir or layout.leaderboard_results
    problems = entry_problems(name, url, revision)
    if protocol not in PROTOCOLS.values():
        problems.append(f"protocol: expected one of {', '.join(PROTOCOLS.values())}")
    if problems:
        raise LeaderboardError(problems)
    entry_path(name, results_dir, replace)  # refuse before the work of scoring
    result = score_predictions(predictions, protocol, dataset, progress, layout)
    result["revision"] = revision
    path = store_result(
        result,
        name=name,
        url=url,
        results_dir=results_dir,
        replace=replace,
        source=source_name(predictions),
    )
    return path, {**result, "name": name, "url": url}
