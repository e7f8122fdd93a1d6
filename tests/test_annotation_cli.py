"""The annotation commands end expected failures with one line and exit 1, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from kotechnews.cli import app

GOLD = Path(__file__).resolve().parents[1] / "annotation" / "gold"


def invoke(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    return " ".join(result.output.split())


def test_missing_ingested_documents_say_which_command_makes_them(tmp_path):
    missing = tmp_path / "documents.jsonl"
    for command in (
        ["annotation", "show", "x.txt"],
        ["annotation", "compile"],
        ["annotation", "agreement"],
    ):
        output = invoke(*command, "--documents", str(missing))
        assert f"error: {missing}: no ingested documents" in output
        assert "kotechnews ingest annotation/raw --out build/ingested" in output


def test_refused_gold_is_one_line(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    source = sorted(GOLD.glob("*.json"))[0]
    [task] = json.loads(source.read_text(encoding="utf-8"))
    [first] = task["annotations"]
    second = {**first, "id": first["id"] + 1, "result": first["result"][:-1]}
    task["annotations"] = [first, {**second, "ground_truth": True}]  # both ground truth
    (gold / source.name).write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    for command in (["annotation", "counts"], ["annotation", "check"]):
        output = invoke(*command, "--gold-dir", str(gold))
        assert f"error: {gold / source.name}: not gold: task" in output
        assert "2 ground-truth annotations disagree" in output
    shutil.rmtree(gold)
    gold.mkdir()
    output = invoke("annotation", "counts", "--gold-dir", str(gold))
    assert f"error: no gold export files under {gold}" in output


def test_a_broken_worksheet_is_one_line_naming_the_file(tmp_path):
    documents = tmp_path / "documents.jsonl"
    text = "KT가 18일 밝혔다."
    row = {
        "id": "ktn-0",
        "source_file": "a.txt",
        "text": text,
        "sentences": [{"start": 0, "end": len(text)}],
    }
    documents.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    sheets = tmp_path / "worksheets"
    sheets.mkdir()
    args = [
        "annotation",
        "compile",
        "--worksheets",
        str(sheets),
        "--documents",
        str(documents),
        "--gold-dir",
        str(tmp_path / "gold"),
        "--exclusions",
        str(tmp_path / "ex.jsonl"),
    ]
    (sheets / "a.json").write_text("{not json", encoding="utf-8")
    assert f"error: {sheets / 'a.json'}: not a JSON worksheet" in invoke(*args)
    (sheets / "a.json").write_text(json.dumps({"source_file": "a.txt", "sentences": {"x": []}}))
    assert f"error: {sheets / 'a.json'}: malformed worksheet" in invoke(*args)
    assert not (tmp_path / "gold").exists()
