"""`kotechnews quantity parse|find` through the real Typer app."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from kotechnews.cli import app

runner = CliRunner()


def _json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def test_parse_writes_one_json_object_per_input_line():
    result = runner.invoke(
        app, ["quantity", "parse"], input="2000억 개\n약 200명\n수백억원\n10~20%\n"
    )
    assert result.exit_code == 0, result.output
    assert _json_lines(result.output) == [
        {
            "text": "2000억 개",
            "value": 200_000_000_000,
            "low": None,
            "high": None,
            "unit": "개",
            "approximate": False,
        },
        {
            "text": "약 200명",
            "value": 200,
            "low": None,
            "high": None,
            "unit": "명",
            "approximate": True,
        },
        {
            "text": "수백억원",
            "value": None,
            "low": 10**10,
            "high": 10**11,
            "unit": "원",
            "approximate": True,
        },
        {"text": "10~20%", "value": None, "low": 10, "high": 20, "unit": "%", "approximate": False},
    ]


def test_parse_reports_unreadable_lines_as_errors_and_keeps_going():
    result = runner.invoke(app, ["quantity", "parse"], input="GPT-3\n\n3월\n3배\n")
    assert result.exit_code == 0, result.output
    rows = _json_lines(result.output)
    assert [row["text"] for row in rows] == ["GPT-3", "", "3월", "3배"]
    assert [sorted(row) for row in rows[:3]] == [["error", "text"]] * 2 + [
        ["error", "kind", "text"]
    ]
    assert "no number" in rows[0]["error"]
    assert "empty" in rows[1]["error"]
    assert "date" in rows[2]["error"] and rows[2]["kind"] == "date"
    assert rows[3]["value"] == 3


def test_parse_names_the_kind_of_a_number_that_is_not_an_amount():
    result = runner.invoke(app, ["quantity", "parse"], input="4-3\n두 번째\n50대\n5만원권\n")
    assert result.exit_code == 0, result.output
    assert [row.get("kind") for row in _json_lines(result.output)] == [
        "score",
        "ordinal",
        "age band",
        "banknote",
    ]


def test_parse_names_the_line_that_is_not_utf8():
    result = runner.invoke(app, ["quantity", "parse"], input=b"3\xec\n1%\n")
    assert result.exit_code == 0, result.output
    rows = _json_lines(result.output)
    assert "stdin line 1: not UTF-8" in rows[0]["error"]
    assert rows[1]["unit"] == "%"


def test_find_prints_spans_with_offsets():
    text = "네이버와 KAIST AI 연구원 100여명이 참여해 3년간 수백억 원 규모의 투자가 이뤄진다."
    result = runner.invoke(app, ["quantity", "find"], input=text)
    assert result.exit_code == 0, result.output
    rows = _json_lines(result.output)
    assert [row["text"] for row in rows] == ["100여명", "3년간", "수백억 원"]
    for row in rows:
        assert text[row["start"] : row["end"]] == row["text"]
    assert rows[0]["low"] == 100 and rows[0]["approximate"] is True


def test_find_refuses_input_that_is_not_utf8():
    result = runner.invoke(app, ["quantity", "find"], input=b"\xff 3\xeb\xb0\xb0")
    assert result.exit_code == 2
    assert "not UTF-8" in result.output
