"""Leaderboard: storing entries (validated, atomic, no silent overwrite) and rendering escaped
Markdown and HTML from submissions and baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kotechnews.cli import app
from kotechnews.leaderboard import (
    LeaderboardError, add_entry, collect_entries, entry_filename, markdown_escape, render,
    render_html, render_markdown, result_problems)
from kotechnews.scoring.evaluate import Corpus, score
from kotechnews.scoring.submission import load_gold, load_submission

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "submission.example.jsonl"
HOSTILE = "<script>alert(1)</script>"
runner = CliRunner()


@pytest.fixture(scope="module")
def result() -> dict:
    gold = load_gold(EXAMPLE)
    return score(Corpus(gold, str(EXAMPLE)), load_submission(EXAMPLE, gold), n_bootstrap=20)


@pytest.fixture
def result_file(tmp_path, result) -> Path:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(result), encoding="utf-8")
    return path


def _with(result, **changes) -> dict:
    return {**json.loads(json.dumps(result)), **changes}


def test_add_stores_named_entry_and_refuses_silent_overwrite(tmp_path, result_file):
    stored = add_entry(result_file, name="KoBERT-CRF", url="https://example.org/p",
                       results_dir=tmp_path / "results")
    assert stored.name == entry_filename("KoBERT-CRF")
    data = json.loads(stored.read_text(encoding="utf-8"))
    assert (data["name"], data["url"]) == ("KoBERT-CRF", "https://example.org/p")
    with pytest.raises(LeaderboardError, match="exists; pass --replace"):
        add_entry(result_file, name="KoBERT-CRF", url=None, results_dir=tmp_path / "results")
    add_entry(result_file, name="KoBERT-CRF", url=None, results_dir=tmp_path / "results",
              replace=True)
    assert json.loads(stored.read_text(encoding="utf-8"))["url"] is None
    assert [p.name for p in (tmp_path / "results").iterdir()] == [stored.name]  # no temp files


@pytest.mark.parametrize("name, url, message", [
    ("", None, "name: name is required"),
    (" padded", None, "name must not start or end with whitespace"),
    ("x" * 81, None, "name is longer than 80 characters"),
    ("two\nlines", None, "control or format characters"),
    ("ok", "javascript:alert(1)", "url: url must be an absolute http(s) URL"),
    ("ok", "https://example.org/a b", "must not contain spaces"),
])
def test_add_validates_name_and_url(tmp_path, result_file, name, url, message):
    with pytest.raises(LeaderboardError, match=message.replace("(", r"\(").replace(")", r"\)")):
        add_entry(result_file, name=name, url=url, results_dir=tmp_path / "results")
    assert not (tmp_path / "results").exists()


def test_result_problems_name_every_field(result):
    broken = _with(result, format="other", date=3)
    broken["tasks"]["coref"] = {}
    broken["tasks"]["entities"]["metrics"]["strict_f1"] = {"value": "high", "ci": None}
    broken["tasks"]["claims"]["metrics"]["span_f1"]["ci"] = [0.1]
    assert result_problems(broken) == [
        "format: expected 'kotechnews-result/1', got 'other'",
        "name: name is required (a non-empty string)",
        "date: expected an ISO 8601 string",
        "tasks.entities.metrics.strict_f1.value: expected a finite number",
        "tasks.claims.metrics.span_f1.ci: expected null or [low, high]",
        "tasks.coref: unknown task (known: entities, relations, claims)",
    ]


def test_filename_is_safe_for_hostile_names():
    name = entry_filename("../../etc/passwd " + HOSTILE)
    assert "/" not in name and name.endswith(".json") and not name.startswith(".")
    assert entry_filename(HOSTILE) != entry_filename(HOSTILE + " ")


def _store(directory: Path, result: dict, name: str, strict_f1: float, url=None) -> None:
    data = _with(result, name=name, url=url)
    data["tasks"]["entities"]["metrics"]["strict_f1"] = {"value": strict_f1,
                                                         "ci": [strict_f1 - 0.1, strict_f1]}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / entry_filename(name)).write_text(json.dumps(data), encoding="utf-8")


def test_render_merges_baselines_sorts_and_escapes(tmp_path, result):
    _store(tmp_path / "results", result, HOSTILE, 0.7, url="https://example.org/x?a=1&b=(2)")
    _store(tmp_path / "baselines", result, "char-BIO baseline", 0.5)
    entries = collect_entries(tmp_path / "results", tmp_path / "baselines")
    assert [(e.name, e.kind) for e in entries] == [(HOSTILE, "submission"),
                                                   ("char-BIO baseline", "baseline")]
    markdown = render_markdown(entries)
    rows = [line for line in markdown.splitlines() if line.startswith("| 1 ") or
            line.startswith("| 2 ")]
    assert rows[0].startswith("| 1 | [&lt;script&gt;alert\\(1\\)&lt;/script&gt;]"
                              "(https://example.org/x?a=1&b=%282%29) | submission | 70.00 "
                              "[60.00, 70.00]")
    assert rows[1].startswith("| 2 | char-BIO baseline | baseline | 50.00 [40.00, 50.00]")
    assert "<script>" not in markdown
    page = render_html(entries)
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # only the page's own, pinned by its CSP hash
    assert 'href="https://example.org/x?a=1&amp;b=%282%29"' in page


def test_markdown_escape():
    assert markdown_escape("a|b *c* [d](e) <f> `g` _h_\nnext") == (
        "a\\|b \\*c\\* \\[d\\]\\(e\\) &lt;f&gt; \\`g\\` \\_h\\_ next")


def test_render_reports_every_invalid_file(tmp_path, result):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "a.json").write_text("{", encoding="utf-8")
    (tmp_path / "results" / "b.json").write_text(json.dumps(_with(result, name=None)),
                                                 encoding="utf-8")
    with pytest.raises(LeaderboardError) as caught:
        render(tmp_path / "out", tmp_path / "results", tmp_path / "none")
    assert len(caught.value.problems) == 2
    assert "a.json: not a JSON file" in caught.value.problems[0]
    assert "b.json: name: name is required" in caught.value.problems[1]
    assert not (tmp_path / "out").exists()


def test_cli_add_and_render(tmp_path, result_file):
    results, out = tmp_path / "results", tmp_path / "out"
    added = runner.invoke(app, ["leaderboard", "add", str(result_file), "--name", "My system",
                                "--url", "https://example.org", "--results-dir", str(results)])
    assert added.exit_code == 0, added.output
    rendered = runner.invoke(app, ["leaderboard", "render", "--out", str(out), "--results-dir",
                                   str(results), "--baselines-dir", str(tmp_path / "none")])
    assert rendered.exit_code == 0, rendered.output
    assert "[My system](https://example.org)" in (out / "LEADERBOARD.md").read_text()
    assert 'id="board-entities"' in (out / "index.html").read_text()
    bad = runner.invoke(app, ["leaderboard", "add", str(result_file), "--name", "x",
                              "--url", "ftp://example.org", "--results-dir", str(results)])
    assert bad.exit_code == 2 and "url must be an absolute http(s) URL" in bad.stderr


def test_empty_leaderboard_renders_placeholders(tmp_path):
    render(tmp_path, tmp_path / "none", tmp_path / "none")
    assert (tmp_path / "LEADERBOARD.md").read_text().count("No entries yet.") == 3
    assert (tmp_path / "index.html").read_text().count("<table") == 3
