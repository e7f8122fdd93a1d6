"""Train and score a baseline under the evaluation protocol; write leaderboard result JSON.

Protocol (the same for every baseline; hyperparameters are fixed in code and never chosen on any
fold or on the test split):

- **cross-validation**: the train and validation documents in ``kotechnews.splits.N_FOLDS`` folds
  (documents sharing a sentence form one leakage group, never split across folds); the test split
  is never seen. Out-of-fold predictions are pooled and scored once, with document-bootstrap
  confidence intervals; per-fold scores are listed too.
- **test split**: train on train + validation (nothing is tuned, so validation is training data),
  score on test. This is the row comparable with leaderboard submissions on ``split:test``.
- **task inputs** (``TASK_INPUTS``): entities are predicted from the text alone; relations and
  claim subjects are predicted given the gold entity mentions (the DocRED / KLUE-RE protocol);
  claim spans, values and attributes come from the text.

Each protocol writes one result file in the leaderboard's format (``kotechnews.leaderboard``:
protocol, ``scored_by`` "kotechnews baseline run", revision = the kotechnews version, the dataset
version the gold is built as) with an extra ``baseline`` object: protocol, seed, hyperparameters, fit and predict time, the
process's peak resident memory and per-fold scores. Predictions are kept as JSON Lines.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from kotechnews.baselines.registry import BaselineSpec
from kotechnews.gold import load_gold
from kotechnews.jsonio import write_json, write_jsonl
from kotechnews.layout import RELATIVE, Layout
from kotechnews.leaderboard import SCORED_BY_BASELINE, entry_filename, store_result
from kotechnews.records import AnnotatedDocument
from kotechnews.scoring.defaults import PROTOCOL_TITLES
from kotechnews.scoring.evaluate import DEFAULT_BOOTSTRAP, Corpus, fingerprint, score
from kotechnews.scoring.submission import gold_from_documents, submission_from_documents
from kotechnews.splits import NO_FOLD, assign_splits

TASK_INPUTS = {
    "entities": "text only; entity mentions are predicted end to end",
    "relations": "text and the gold entity mentions (DocRED / KLUE-RE protocol)",
    "claims": "text and the gold entity mentions: claim spans, values, units, types and "
    "modality from the text; the subject is chosen among the gold mentions",
}
FIXED_HYPERPARAMETERS = (
    "fixed in code before scoring; never chosen on a cross-validation fold or on the test split"
)


class System(Protocol):
    def fit(self, docs: Sequence[AnnotatedDocument]) -> "System": ...

    def predict_task(
        self, task: str, docs: Sequence[AnnotatedDocument]
    ) -> list[AnnotatedDocument]: ...

    def hyperparameters(self) -> dict[str, Any]: ...

    def save(self, path: Path) -> Path: ...


@dataclass
class Evaluation:
    protocol: str  # "cv" or "test"
    gold: list[AnnotatedDocument]
    train: list[AnnotatedDocument] | None  # the training gold, when it is one set (test)
    predictions: dict[str, list[AnnotatedDocument]]
    folds: list[dict[str, Any]] = field(default_factory=list)
    hyperparameters: dict[str, Any] = field(default_factory=dict)

    @property
    def fit_seconds(self) -> float:
        return sum(fold["fit_seconds"] for fold in self.folds)

    @property
    def predict_seconds(self) -> float:
        return sum(fold["predict_seconds"] for fold in self.folds)


def task_input(doc: AnnotatedDocument, task: str) -> AnnotatedDocument:
    """What a system sees of a held-out gold document for one task (see TASK_INPUTS)."""
    entities = [] if task == "entities" else list(doc.entities)
    return doc.with_annotations(entities=entities)


def peak_memory_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fit_predict(
    spec: BaselineSpec,
    seed: int,
    train: Sequence[AnnotatedDocument],
    held_out: Sequence[AnnotatedDocument],
) -> tuple[System, dict[str, list[AnnotatedDocument]], dict[str, Any]]:
    started = time.perf_counter()
    system = spec.make(seed).fit(train)
    fitted = time.perf_counter()
    predictions = {
        task: system.predict_task(task, [task_input(d, task) for d in held_out])
        for task in spec.tasks
    }
    timing = {
        "fit_seconds": fitted - started,
        "predict_seconds": time.perf_counter() - fitted,
        **({"diagnostics": system.diagnostics} if getattr(system, "diagnostics", None) else {}),
    }
    return system, predictions, timing


def cross_validate(
    spec: BaselineSpec,
    gold: Sequence[AnnotatedDocument],
    seed: int = 0,
    progress: Callable[[str], None] = lambda message: None,
) -> Evaluation:
    """Out-of-fold predictions for every train and validation document (the test split is never
    seen), one fold at a time (``kotechnews.splits``: leakage groups never straddle folds)."""
    assignments = assign_splits(gold)
    pool = [d for d in gold if assignments[d.id].fold != NO_FOLD]
    evaluation = Evaluation("cv", pool, None, {task: [] for task in spec.tasks})
    by_id: dict[str, dict[str, AnnotatedDocument]] = {task: {} for task in spec.tasks}
    folds = sorted({assignments[d.id].fold for d in pool})
    for number, fold in enumerate(folds, start=1):
        held_out = [d for d in pool if assignments[d.id].fold == fold]
        train = [d for d in pool if assignments[d.id].fold != fold]
        progress(f"{spec.name}: fold {number}/{len(folds)} (training on {len(train)} documents)")
        system, predictions, timing = _fit_predict(spec, seed, train, held_out)
        evaluation.hyperparameters = system.hyperparameters()
        for task, docs in predictions.items():
            by_id[task].update((d.id, d) for d in docs)
        evaluation.folds.append(
            {
                "fold": fold,
                "held_out": [d.id for d in held_out],
                "train_documents": len(train),
                **timing,
            }
        )
    evaluation.predictions = {task: [by_id[task][d.id] for d in pool] for task in spec.tasks}
    return evaluation


def evaluate_test(
    spec: BaselineSpec,
    gold: Sequence[AnnotatedDocument],
    seed: int = 0,
    progress: Callable[[str], None] = lambda message: None,
) -> Evaluation:
    """Train on train + validation, predict the test split."""
    assignments = assign_splits(gold)
    test = [d for d in gold if assignments[d.id].split == "test"]
    train = [d for d in gold if assignments[d.id].split != "test"]
    progress(f"{spec.name}: test split (training on {len(train)} documents)")
    system, predictions, timing = _fit_predict(spec, seed, train, test)
    return Evaluation(
        "test",
        test,
        train,
        predictions,
        [
            {
                "fold": "test",
                "held_out": [d.id for d in test],
                "train_documents": len(train),
                **timing,
            }
        ],
        system.hyperparameters(),
    )


def score_tasks(
    tasks: Sequence[str],
    predictions: dict[str, list[AnnotatedDocument]],
    gold: Corpus,
    train: Corpus | None,
    n_bootstrap: int,
    seed: int,
    source: str,
) -> dict[str, Any]:
    """One result over all tasks, each task scored on its own prediction set."""
    result: dict[str, Any] | None = None
    for task in tasks:
        submission = submission_from_documents(
            predictions[task], f"{source}:{task}", gold.documents
        )
        scored = score(
            gold, submission, tasks=[task], train=train, n_bootstrap=n_bootstrap, seed=seed
        )
        if result is None:
            result = scored
        else:
            result["tasks"].update(scored["tasks"])
            result["warnings"].extend(scored["warnings"])
    result["submission"] = {
        "source": source,
        "documents": len(gold.documents),
        "fingerprint": fingerprint([d for task in tasks for d in predictions[task]]),
    }
    return result


def _headlines(result: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {
        task: {metric: body["metrics"][metric]["value"] for metric in body["headline"]}
        for task, body in result["tasks"].items()
    }


def fold_scores(spec: BaselineSpec, evaluation: Evaluation) -> None:
    """Add each fold's headline scores (no intervals) to evaluation.folds."""
    for fold in evaluation.folds:
        held = set(fold["held_out"])
        gold = [d for d in evaluation.gold if d.id in held]
        predictions = {
            task: [d for d in docs if d.id in held] for task, docs in evaluation.predictions.items()
        }
        corpus = Corpus(gold_from_documents(gold, "fold"), "fold")
        fold["headline"] = _headlines(
            score_tasks(spec.tasks, predictions, corpus, None, 0, 0, "fold")
        )


def package_versions(packages: Sequence[str]) -> dict[str, str]:
    versions = {}
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def result_record(
    spec: BaselineSpec,
    evaluation: Evaluation,
    *,
    seed: int,
    n_bootstrap: int,
    prediction_files: dict[str, str],
    changelog: Path | None = None,
) -> dict[str, Any]:
    """The leaderboard result of an evaluation, with the ``baseline`` details; the dataset
    version is the newest of the changelog (default: the project's)."""
    from kotechnews.hfdataset.build import latest_version  # loads datasets and matplotlib

    if evaluation.protocol == "test":
        gold = Corpus(gold_from_documents(evaluation.gold, "split:test"), "split:test")
        train = Corpus(evaluation.train, "split:train+validation")
    else:
        source = "gold:train+validation (cross-validation by fold)"
        gold, train = Corpus(gold_from_documents(evaluation.gold, source), source), None
    result = score_tasks(
        spec.tasks, evaluation.predictions, gold, train, n_bootstrap, seed, f"baseline:{spec.name}"
    )
    fold_scores(spec, evaluation)
    result["versions"].update(package_versions(spec.packages))
    result.update(
        protocol=PROTOCOL_TITLES[evaluation.protocol],
        scored_by=SCORED_BY_BASELINE,
        revision=f"kotechnews {result['versions']['kotechnews']}",
        dataset={"source": RELATIVE.gold.as_posix(), "version": latest_version(changelog)},
    )
    result["baseline"] = {
        "system": spec.name,
        "description": spec.description,
        "protocol": PROTOCOL_TITLES[evaluation.protocol],
        "task_inputs": {task: TASK_INPUTS[task] for task in spec.tasks},
        "seed": seed,
        "hyperparameters": evaluation.hyperparameters,
        "hyperparameter_selection": FIXED_HYPERPARAMETERS,
        "fit_seconds": round(evaluation.fit_seconds, 3),
        "predict_seconds": round(evaluation.predict_seconds, 3),
        "peak_rss_mb": round(peak_memory_mb(), 1),
        "folds": evaluation.folds,
        "predictions": prediction_files,
    }
    if "relations" in spec.tasks:
        from kotechnews.baselines.relation_classifier import candidate_recall

        result["baseline"]["relation_candidate_recall"] = candidate_recall(evaluation.gold)
    return result


# What changes from run to run with the same scores: a stored result is rewritten only when
# something else differs, so re-running the main job leaves the committed results as they are.
MEASUREMENTS = ("fit_seconds", "predict_seconds", "peak_rss_mb", "diagnostics")


def without_measurements(result: dict[str, Any]) -> dict[str, Any]:
    """The result less its date, package versions and timings (the reproducible part)."""
    kept = {key: value for key, value in result.items() if key not in ("date", "versions")}
    details = dict(kept.get("baseline") or {})
    for key in MEASUREMENTS:
        details.pop(key, None)
    details["folds"] = [
        {key: value for key, value in fold.items() if key not in MEASUREMENTS}
        for fold in details.get("folds", [])
    ]
    return {**kept, "baseline": details}


def _same_scores_stored(result: dict[str, Any], path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    # through JSON, so that tuples and lists compare equal
    return without_measurements(stored) == without_measurements(json.loads(json.dumps(result)))


@dataclass
class RunReport:
    results: dict[str, Path] = field(default_factory=dict)  # protocol -> result file
    predictions: list[Path] = field(default_factory=list)
    model: Path | None = None
    scores: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)


def leaderboard_name(spec: BaselineSpec, protocol: str) -> str:
    return f"{spec.title} ({PROTOCOL_TITLES[protocol]})"


def run_baseline(
    spec: BaselineSpec,
    *,
    gold_dir: Path | None = None,
    folds: bool = True,
    test: bool = True,
    save_model: bool = True,
    results_dir: Path | None = None,
    work_dir: Path | None = None,
    models_dir: Path | None = None,
    seed: int = 0,
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    progress: Callable[[str], None] = lambda message: None,
    gold: Sequence[AnnotatedDocument] | None = None,
    layout: Layout | None = None,
) -> RunReport:
    """Evaluate under the chosen protocols, store the results, save a model fit on all gold
    (``gold``, the records load_gold returned, or loaded from gold_dir). Directories left out
    are those of ``layout`` (default: discovered), whose root the result files name the
    prediction files relative to."""
    layout = layout or Layout.discover()
    results_dir = results_dir or layout.baseline_results
    work_dir, models_dir = work_dir or layout.baselines_work, models_dir or layout.models
    gold = load_gold(gold_dir or layout.gold) if gold is None else list(gold)
    report = RunReport()
    for protocol in [name for name, chosen in (("cv", folds), ("test", test)) if chosen]:
        if protocol == "cv":
            evaluation = cross_validate(spec, gold, seed, progress)
        else:
            evaluation = evaluate_test(spec, gold, seed, progress)
        files = {}
        for task, docs in evaluation.predictions.items():
            path = Path(work_dir) / spec.name / protocol / f"{task}.jsonl"
            write_jsonl(path, (doc.to_dict() for doc in docs))
            report.predictions.append(path)
            files[task] = layout.shown(path)
        progress(f"{spec.name}: scoring the {PROTOCOL_TITLES[protocol]}")
        result = result_record(
            spec,
            evaluation,
            seed=seed,
            n_bootstrap=n_bootstrap,
            prediction_files=files,
            changelog=layout.changelog,
        )
        name = leaderboard_name(spec, protocol)
        record = {**result, "name": name, "url": None}
        # this run's full record, measurements included, stays in the (ignored) work directory
        write_json(Path(work_dir) / spec.name / protocol / "result.json", record)
        report.results[protocol] = Path(results_dir) / entry_filename(name)
        if not _same_scores_stored(record, report.results[protocol]):
            store_result(result, name=name, url=None, results_dir=results_dir, replace=True)
        report.scores[protocol] = _headlines(result)
    if save_model:
        progress(f"{spec.name}: fitting on all {len(gold)} gold documents to save the model")
        report.model = spec.make(seed).fit(gold).save(Path(models_dir) / spec.model_file)
    return report
