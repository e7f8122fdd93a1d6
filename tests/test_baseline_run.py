"""`kotechnews baseline run`: protocols, result JSON the leaderboard accepts, CLI, and the main
job's dataset / baseline / leaderboard steps, on the synthetic gold (tmp dirs only)."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest
from typer.testing import CliRunner

from conftest import PROJECT
from kotechnews import leaderboard, pipeline
from kotechnews.baselines.evaluation import (
    TASK_INPUTS,
    cross_validate,
    evaluate_test,
    run_baseline,
    task_input,
)
from kotechnews.baselines.registry import SKLEARN
from kotechnews.baselines.sklearn_baseline import SklearnBaseline
from kotechnews.cli import app
from kotechnews.gold import load_gold
from kotechnews.layout import Layout
from kotechnews.splits import assign_splits
from test_dataset_synthetic import write_synthetic_gold


@pytest.fixture(scope="module")
def gold_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("gold")
    write_synthetic_gold(directory)
    return directory


@pytest.fixture(scope="module")
def run(gold_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    report = run_baseline(
        SKLEARN,
        gold_dir=gold_dir,
        results_dir=out / "results",
        work_dir=out / "work",
        models_dir=out / "models",
        n_bootstrap=200,
    )
    return report, out


def test_task_inputs_hide_what_is_predicted(gold_dir):
    doc = next(d for d in load_gold(gold_dir) if d.relations and d.claims)
    for task in TASK_INPUTS:
        seen = task_input(doc, task)
        assert seen.text == doc.text and not seen.relations and not seen.claims
        assert seen.entities == ([] if task == "entities" else doc.entities)


def test_cross_validation_predicts_every_train_and_validation_document_out_of_its_fold(gold_dir):
    gold = load_gold(gold_dir)
    assignments = assign_splits(gold)
    pool = [d for d in gold if assignments[d.id].split != "test"]
    evaluation = cross_validate(SKLEARN, gold)
    assert [d.id for d in evaluation.predictions["entities"]] == [d.id for d in pool]
    held = [doc_id for fold in evaluation.folds for doc_id in fold["held_out"]]
    assert sorted(held) == sorted(d.id for d in pool)
    for fold in evaluation.folds:
        assert {assignments[i].fold for i in fold["held_out"]} == {fold["fold"]}
        assert fold["train_documents"] == len(pool) - len(fold["held_out"])
    test = evaluate_test(SKLEARN, gold)
    assert {assignments[d.id].split for d in test.gold} == {"test"}
    assert {assignments[d.id].split for d in test.train} == {"train", "validation"}


def test_results_are_leaderboard_records_with_the_baseline_details(run, gold_dir):
    report, out = run
    assignments = assign_splits(load_gold(gold_dir))
    split_sizes = Counter(a.split for a in assignments.values())
    assert set(report.results) == {"cv", "test"}
    for protocol, path in report.results.items():
        result = leaderboard.load_result(path)
        assert set(result["tasks"]) == {"entities", "relations", "claims"}
        details = result["baseline"]
        assert details["seed"] == 0 and details["fit_seconds"] > 0
        assert details["peak_rss_mb"] > 0 and "scikit-learn" in result["versions"]
        assert details["task_inputs"]["relations"] == TASK_INPUTS["relations"]
        assert "never chosen" in details["hyperparameter_selection"]
        assert all("headline" in fold for fold in details["folds"])
        for task, body in result["tasks"].items():
            assert (
                body["metrics"][body["headline"][0]]["value"]
                == report.scores[protocol][task][body["headline"][0]]
            )
    cv = leaderboard.load_result(report.results["cv"])
    # cross-validation covers train and validation only; the test split is scored on its own
    assert cv["gold"]["documents"] == split_sizes["train"] + split_sizes["validation"]
    assert cv["bootstrap"]["samples"] == 200
    # four synthetic documents: fewer than the scorer's minimum for an interval
    assert cv["tasks"]["entities"]["metrics"]["strict_f1"]["ci"] is None
    assert any("fewer than 5" in w for w in cv["warnings"])
    test = leaderboard.load_result(report.results["test"])
    assert test["gold"]["source"] == "split:test" and test["train"] is not None
    assert test["gold"]["documents"] == split_sizes["test"]
    entries = leaderboard.collect_entries(out / "none", out / "results")
    assert sorted(e.name for e in entries) == [
        "scikit-learn baseline (cross-validation)",
        "scikit-learn baseline (test split)",
    ]


def test_saved_model_and_predictions_are_written(run, gold_dir):
    report, out = run
    model = SklearnBaseline.load(report.model)
    gold = load_gold(gold_dir)
    assert len(model.predict(gold[:1])) == 1
    for path in report.predictions:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert rows and all(row["text"] for row in rows)


def test_cli_runs_one_protocol_and_reports_scores(gold_dir, tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "baseline",
            "run",
            "sklearn",
            "--test",
            "--gold",
            str(gold_dir),
            "--results-dir",
            str(tmp_path / "results"),
            "--work-dir",
            str(tmp_path / "work"),
            "--no-save-model",
            "--bootstrap",
            "50",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "test split" in result.output and "strict_f1" in result.output
    stored = list((tmp_path / "results").glob("*.json"))
    assert len(stored) == 1 and "test" in leaderboard.load_result(stored[0])["name"]
    assert not (tmp_path / "models").exists()


def test_cli_errors_are_one_clear_line(tmp_path):
    unknown = CliRunner().invoke(app, ["baseline", "run", "nonesuch"])
    assert unknown.exit_code == 1 and "unknown baseline 'nonesuch'" in unknown.output
    missing = CliRunner().invoke(
        app, ["baseline", "run", "sklearn", "--gold", str(tmp_path / "nowhere")]
    )
    assert missing.exit_code == 1 and "nowhere" in missing.output
    assert "Traceback" not in missing.output


def test_main_job_steps_build_score_and_render(gold_dir, tmp_path):
    project = Layout(tmp_path)  # the synthetic gold and the documents the dataset ships
    shutil.copytree(gold_dir, project.gold)
    for document in ("changelog", "datasheet", "guidelines"):
        shutil.copy(getattr(PROJECT, document), getattr(project, document))
    steps = [pipeline.dataset_step, pipeline.baselines_step, pipeline.leaderboard_step]
    assert all(step in pipeline.STEPS for step in steps)
    state = pipeline.RunState(project, load_gold(project.gold))  # as the gold step leaves it
    results = [step(state) for step in steps]
    assert (tmp_path / "dataset" / "README.md").is_file()
    assert results[1].outputs[-1] == tmp_path / "build" / "models" / "sklearn.skops"
    assert "cross-validation entities strict_f1" in results[1].summary
    board = (tmp_path / "leaderboard" / "LEADERBOARD.md").read_text(encoding="utf-8")
    assert "scikit-learn baseline \\(test split\\)" in board
    assert all(path.exists() for result in results for path in result.outputs)


def test_a_rerun_with_the_same_scores_leaves_the_stored_results_untouched(run, gold_dir):
    """The main job leaves a clean clone clean: timings and dates of a new run go to the work
    directory; a stored result changes only when its scores do."""
    report, out = run
    stored = {path: path.read_bytes() for path in report.results.values()}
    again = run_baseline(
        SKLEARN,
        gold_dir=gold_dir,
        results_dir=out / "results",
        work_dir=out / "work",
        models_dir=out / "models",
        n_bootstrap=200,
        save_model=False,
    )
    assert {path: path.read_bytes() for path in again.results.values()} == stored
    fresh = json.loads((out / "work" / "sklearn" / "cv" / "result.json").read_text())
    kept = json.loads(report.results["cv"].read_text())
    assert fresh["date"] >= kept["date"] and fresh["baseline"]["fit_seconds"] > 0
    # a different score is stored
    changed = run_baseline(
        SKLEARN,
        gold_dir=gold_dir,
        results_dir=out / "results",
        work_dir=out / "work",
        models_dir=out / "models",
        n_bootstrap=100,
        save_model=False,
    )
    assert json.loads(changed.results["cv"].read_text())["bootstrap"]["samples"] == 100
