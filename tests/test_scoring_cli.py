"""`kotechnews score` and `kotechnews compare` through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kotechnews.cli import app
from test_dataset_synthetic import write_changelog

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "submission.example.jsonl"
runner = CliRunner()


@pytest.fixture
def weaker(tmp_path) -> Path:
    """The example with one entity and its relations dropped."""
    record = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    record["entities"] = [e for e in record["entities"] if e["id"] != "e4"]
    record["relations"] = [r for r in record["relations"] if r["tail"] != "e4"]
    path = tmp_path / "weaker.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_score_json(weaker):
    result = runner.invoke(
        app,
        [
            "score",
            "--pred",
            str(weaker),
            "--gold",
            str(EXAMPLE),
            "--json",
            "--bootstrap",
            "20",
            "--seed",
            "4",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "kotechnews-result/1"
    assert data["bootstrap"] == {"samples": 20, "seed": 4, "confidence": 0.95}
    # 3 of 4 gold entities predicted, all right: P 1, R 3/4, F 6/7
    assert data["tasks"]["entities"]["metrics"]["strict_f1"]["value"] == pytest.approx(6 / 7)
    assert data["tasks"]["relations"]["metrics"]["recall"]["value"] == 0.5
    assert data["gold"]["documents"] == 1 and len(data["gold"]["fingerprint"]) == 64


def test_score_readable_report_and_single_task(weaker):
    result = runner.invoke(
        app,
        [
            "score",
            "--pred",
            str(weaker),
            "--gold",
            str(EXAMPLE),
            "--task",
            "entities",
            "--bootstrap",
            "0",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "strict_f1" in result.stdout and "85.71" in result.stdout
    assert "relations" not in result.stdout


def test_score_invalid_submission_exits_2_listing_errors(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "nope"}\n{"id": "example-0001", "entities": [{"id": "e1", '
        '"start": "8", "end": 12, "type": "ORG"}]}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["score", "--pred", str(bad), "--gold", str(EXAMPLE)])
    assert result.exit_code == 2
    assert "bad.jsonl:1: document 'nope': id: unknown document id" in result.stderr
    assert (
        "bad.jsonl:2: document 'example-0001': entities[0] (id 'e1').start: expected "
        "integer" in result.stderr
    )
    assert "2 error(s); nothing scored." in result.stderr


def test_score_needs_exactly_one_gold_source(weaker):
    neither = runner.invoke(app, ["score", "--pred", str(weaker)])
    both = runner.invoke(
        app, ["score", "--pred", str(weaker), "--gold", str(EXAMPLE), "--split", "test"]
    )
    for result in (neither, both):
        assert result.exit_code == 2
        assert "exactly one of --split NAME or --gold FILE" in result.output


def test_split_is_read_from_the_built_dataset_without_a_checkout(tmp_path):
    """A researcher's path: the dataset (a folder or Hub repo) -> records -> a submission -> score
    --split; the gold comes from the dataset's Parquet files, not from annotation/gold."""
    from kotechnews.hfdataset.build import build_from_gold
    from kotechnews.hfdataset.records import records_from_dataset
    from test_dataset_synthetic import write_synthetic_gold

    write_synthetic_gold(tmp_path / "gold")
    build_from_gold(
        tmp_path / "gold",
        tmp_path / "dataset",
        version="0.1.0",
        changelog=write_changelog(tmp_path / "CHANGELOG.md", ["0.1.0"]),
    )
    test_records = records_from_dataset(tmp_path / "dataset", "test")
    submission = tmp_path / "perfect.jsonl"
    submission.write_text(
        "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in test_records),
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "score",
            "--pred",
            str(submission),
            "--split",
            "test",
            "--dataset",
            str(tmp_path / "dataset"),
            "--json",
            "--bootstrap",
            "0",
        ],
    )
    assert result.exit_code == 0, result.output
    scored = json.loads(result.stdout)
    assert scored["gold"]["source"] == "split:test" and scored["gold"]["documents"] == len(
        test_records
    )
    assert scored["tasks"]["entities"]["metrics"]["strict_f1"]["value"] == 1.0
    assert scored["tasks"]["relations"]["metrics"]["f1"]["value"] == 1.0
    for args, message in (
        (["--split", "dev"], "cannot load split 'dev'"),
        (
            ["--split", "test", "--dataset", str(tmp_path / "none")],
            f"of the dataset {tmp_path / 'none'}",
        ),
    ):
        failed = runner.invoke(app, ["score", "--pred", str(submission), *args])
        assert failed.exit_code == 2 and message in failed.stderr
        assert "Traceback" not in failed.stderr


def test_score_with_train_reports_ign_f1(weaker):
    result = runner.invoke(
        app,
        [
            "score",
            "--pred",
            str(weaker),
            "--gold",
            str(EXAMPLE),
            "--train",
            str(EXAMPLE),
            "--json",
            "--bootstrap",
            "0",
        ],
    )
    metrics = json.loads(result.stdout)["tasks"]["relations"]["metrics"]
    # the one correct triple (partner_of) is a train fact: P_ign = (1-1)/(1-1) = 0 -> Ign F1 0
    assert metrics["ign_f1"]["value"] == 0.0 and metrics["f1"]["value"] == pytest.approx(2 / 3)


def test_missing_document_warning_goes_to_stderr(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(
        app, ["score", "--pred", str(empty), "--gold", str(EXAMPLE), "--json", "--bootstrap", "0"]
    )
    assert result.exit_code == 0
    assert "gold document missing from the submission" in result.stderr
    assert json.loads(result.stdout)["warnings"]


def test_compare(weaker):
    result = runner.invoke(
        app,
        [
            "compare",
            str(EXAMPLE),
            str(weaker),
            "--gold",
            str(EXAMPLE),
            "--bootstrap",
            "50",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    entities = json.loads(result.stdout)["tasks"]["entities"]
    # one document: resampling it measures nothing, so no p-value (it would read 0.0000)
    assert entities["strict_f1"]["delta"] == pytest.approx(1 / 7)
    assert entities["strict_f1"]["p_value"] is None and entities["strict_f1"]["delta_ci"] is None
    readable = runner.invoke(
        app, ["compare", str(EXAMPLE), str(weaker), "--gold", str(EXAMPLE), "--bootstrap", "10"]
    )
    assert readable.exit_code == 0 and "p (A > B)" in readable.stdout
    assert "only 1 scored document(s)" in " ".join(readable.stdout.split())


def test_compare_lists_errors_of_both_submissions(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("{\n", encoding="utf-8")
    second.write_text('{"id": "nope"}\n', encoding="utf-8")
    result = runner.invoke(app, ["compare", str(first), str(second), "--gold", str(EXAMPLE)])
    assert result.exit_code == 2
    assert "a.jsonl:1: invalid JSON" in result.stderr
    assert "b.jsonl:1: document 'nope'" in result.stderr
