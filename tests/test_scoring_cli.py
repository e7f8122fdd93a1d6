"""`kotechnews score` and `kotechnews compare` through the real Typer app."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kotechnews.cli import app
from kotechnews.records import AnnotatedDocument

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
    result = runner.invoke(app, ["score", "--pred", str(weaker), "--gold", str(EXAMPLE),
                                 "--json", "--bootstrap", "20", "--seed", "4"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "kotechnews-result/1"
    assert data["bootstrap"] == {"samples": 20, "seed": 4, "confidence": 0.95}
    # 3 of 4 gold entities predicted, all right: P 1, R 3/4, F 6/7
    assert data["tasks"]["entities"]["metrics"]["strict_f1"]["value"] == pytest.approx(6 / 7)
    assert data["tasks"]["relations"]["metrics"]["recall"]["value"] == 0.5
    assert data["gold"]["documents"] == 1 and len(data["gold"]["fingerprint"]) == 64


def test_score_readable_report_and_single_task(weaker):
    result = runner.invoke(app, ["score", "--pred", str(weaker), "--gold", str(EXAMPLE),
                                 "--task", "entities", "--bootstrap", "0"])
    assert result.exit_code == 0, result.output
    assert "strict_f1" in result.stdout and "85.71" in result.stdout
    assert "relations" not in result.stdout


def test_score_invalid_submission_exits_2_listing_errors(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "nope"}\n{"id": "example-0001", "entities": [{"id": "e1", '
                   '"start": "8", "end": 12, "type": "ORG"}]}\n', encoding="utf-8")
    result = runner.invoke(app, ["score", "--pred", str(bad), "--gold", str(EXAMPLE)])
    assert result.exit_code == 2
    assert "bad.jsonl:1: document 'nope': id: unknown document id" in result.stderr
    assert "bad.jsonl:2: document 'example-0001': entities[0] (id 'e1').start: expected " \
           "integer" in result.stderr
    assert "2 error(s); nothing scored." in result.stderr


def test_score_needs_exactly_one_gold_source(weaker):
    neither = runner.invoke(app, ["score", "--pred", str(weaker)])
    both = runner.invoke(app, ["score", "--pred", str(weaker), "--gold", str(EXAMPLE),
                               "--split", "test"])
    for result in (neither, both):
        assert result.exit_code == 2
        assert "exactly one of --split NAME or --gold FILE" in result.output


def test_split_without_gold_module_is_a_clear_error(weaker, monkeypatch):
    monkeypatch.setitem(sys.modules, "kotechnews.gold", types.ModuleType("kotechnews.gold"))
    result = runner.invoke(app, ["score", "--pred", str(weaker), "--split", "test"])
    assert result.exit_code == 2
    assert "split:test: gold splits are not available" in result.stderr
    assert "pass --gold FILE" in result.stderr


def test_split_reads_gold_from_load_split(weaker, monkeypatch):
    gold_module = types.ModuleType("kotechnews.gold")
    records = [json.loads(line) for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]

    def load_split(name):
        if name != "test":
            raise KeyError(f"no split {name!r}")
        return [AnnotatedDocument.from_dict(r) for r in records]

    gold_module.load_split = load_split
    monkeypatch.setitem(sys.modules, "kotechnews.gold", gold_module)
    result = runner.invoke(app, ["score", "--pred", str(weaker), "--split", "test", "--json",
                                 "--bootstrap", "0"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gold"]["source"] == "split:test"
    missing = runner.invoke(app, ["score", "--pred", str(weaker), "--split", "dev"])
    assert missing.exit_code == 2 and "cannot load the gold split" in missing.stderr


def test_score_with_train_reports_ign_f1(weaker):
    result = runner.invoke(app, ["score", "--pred", str(weaker), "--gold", str(EXAMPLE),
                                 "--train", str(EXAMPLE), "--json", "--bootstrap", "0"])
    metrics = json.loads(result.stdout)["tasks"]["relations"]["metrics"]
    # the one correct triple (partner_of) is a train fact: P_ign = (1-1)/(1-1) = 0 -> Ign F1 0
    assert metrics["ign_f1"]["value"] == 0.0 and metrics["f1"]["value"] == pytest.approx(2 / 3)


def test_missing_document_warning_goes_to_stderr(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["score", "--pred", str(empty), "--gold", str(EXAMPLE),
                                 "--json", "--bootstrap", "0"])
    assert result.exit_code == 0
    assert "gold document missing from the submission" in result.stderr
    assert json.loads(result.stdout)["warnings"]


def test_compare(weaker):
    result = runner.invoke(app, ["compare", str(EXAMPLE), str(weaker), "--gold", str(EXAMPLE),
                                 "--bootstrap", "50", "--json"])
    assert result.exit_code == 0, result.output
    entities = json.loads(result.stdout)["tasks"]["entities"]
    # one document: resampling it measures nothing, so no p-value (it would read 0.0000)
    assert entities["strict_f1"]["delta"] == pytest.approx(1 / 7)
    assert entities["strict_f1"]["p_value"] is None and entities["strict_f1"]["delta_ci"] is None
    readable = runner.invoke(app, ["compare", str(EXAMPLE), str(weaker), "--gold",
                                   str(EXAMPLE), "--bootstrap", "10"])
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
