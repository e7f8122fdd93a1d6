"""The leaderboard: stored results rendered as LEADERBOARD.md and a static, sortable index.html.

Result JSON (format ``kotechnews-result/1``): what ``kotechnews score --json`` prints, what the
baselines write into ``baselines/results/*.json`` and what ``kotechnews leaderboard add`` stores
into ``leaderboard/results/*.json``. All scores are fractions in [0, 1]::

    {
      "format": "kotechnews-result/1",
      "name": "My system" | null,          # required on the leaderboard; 1-80 printable chars
      "url": "https://..." | null,         # paper or code; http(s) only
      "date": "2026-05-09T12:00:00+00:00", # when it was scored (UTC, ISO 8601)
      "gold": {"source": "split:test", "documents": 120, "fingerprint": "<sha256>"},
      "submission": {"source": "pred.jsonl", "documents": 120, "fingerprint": "<sha256>"},
      "train": {"source": ..., "documents": ..., "fingerprint": ...} | null,
      "bootstrap": {"samples": 1000, "seed": 0, "confidence": 0.95},
      "options": {"value_rtol": 0.0},
      "tasks": {                           # any of entities, relations, claims
        "entities": {
          "headline": ["strict_f1", "partial_f1", "char_f1"],
          "metrics": {"strict_f1": {"value": 0.81, "ci": [0.78, 0.84] | null}, ...},
          "totals": {"gold": 812.0, ...},  # summed counts behind the metrics
          "per_type": {"ORG": {"precision": ..., "recall": ..., "f1": ..., "support": ...,
                               "predicted": ...}, ...}   # entities and relations only
        }, ...
      },
      "warnings": ["..."],                 # e.g. gold documents missing from the submission
      "versions": {"kotechnews": "0.1.0", "schema": "1.0.0", "numpy": "...", "python": "..."}
    }

The metric definitions are in the docstrings of ``kotechnews.scoring.entities``, ``.relations``
and ``.claims``. The page shows, per task, the headline metrics of the task module with their
confidence intervals and the gold fingerprint, so results on different gold are told apart.
Every string from a result file is HTML-escaped on the page and escaped in the Markdown; the
page's only script is pinned by a Content-Security-Policy hash.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
import string
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import typer
from rich.console import Console
from rich.markup import escape

from kotechnews.jsonio import atomic_write_text, write_json
from kotechnews import __version__
from kotechnews.scoring.defaults import RESULT_FORMAT, TASK_NAMES
from kotechnews.scoring.formatting import percent, with_interval

RESULTS_DIR = Path("leaderboard/results")
BASELINES_DIR = Path("baselines/results")
OUTPUT_DIR = Path("leaderboard")
MAX_NAME_LENGTH = 80
TASK_TITLES = {"entities": "Entities", "relations": "Relations", "claims": "Numeric claims"}


class LeaderboardError(ValueError):
    """Invalid result files or entry metadata; lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def name_problem(name: Any) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "name is required (a non-empty string)"
    if name != name.strip():
        return "name must not start or end with whitespace"
    if len(name) > MAX_NAME_LENGTH:
        return f"name is longer than {MAX_NAME_LENGTH} characters"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        return "name must not contain control or format characters"
    return None


def url_problem(url: Any) -> str | None:
    if url is None:
        return None
    if not isinstance(url, str):
        return "url must be a string or null"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "url must be an absolute http(s) URL"
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url):
        return "url must not contain spaces or control characters"
    return None


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _metric_problems(task: str, metric: str, entry: Any) -> list[str]:
    where = f"tasks.{task}.metrics.{metric}"
    if not isinstance(entry, dict) or not _is_number(entry.get("value")):
        return [f"{where}.value: expected a finite number"]
    ci = entry.get("ci")
    if ci is not None and not (isinstance(ci, list) and len(ci) == 2
                               and all(_is_number(v) for v in ci)):
        return [f"{where}.ci: expected null or [low, high]"]
    return []


def result_problems(data: Any) -> list[str]:
    """Everything wrong with a result record (field path and message per problem)."""
    if not isinstance(data, dict):
        return ["expected a JSON object"]
    problems = []
    if data.get("format") != RESULT_FORMAT:
        problems.append(f"format: expected {RESULT_FORMAT!r}, got {data.get('format')!r}")
    for field, problem in (("name", name_problem(data.get("name"))),
                           ("url", url_problem(data.get("url")))):
        if problem:
            problems.append(f"{field}: {problem}")
    if not isinstance(data.get("date"), str):
        problems.append("date: expected an ISO 8601 string")
    gold = data.get("gold")
    if not (isinstance(gold, dict) and isinstance(gold.get("fingerprint"), str)
            and isinstance(gold.get("documents"), int)):
        problems.append("gold: expected {source, documents, fingerprint}")
    tasks = data.get("tasks")
    if not isinstance(tasks, dict) or not tasks:
        return problems + ["tasks: expected a non-empty object"]
    for task, body in tasks.items():
        if task not in TASK_NAMES:
            problems.append(f"tasks.{task}: unknown task (known: {', '.join(TASK_NAMES)})")
        elif not isinstance(body, dict) or not isinstance(body.get("metrics"), dict):
            problems.append(f"tasks.{task}.metrics: expected an object")
        else:
            for metric, entry in body["metrics"].items():
                problems.extend(_metric_problems(task, metric, entry))
    return problems


def _read_json(path: str | Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise LeaderboardError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LeaderboardError([f"{path}: not a JSON file: {exc}"]) from None


def load_result(path: str | Path) -> dict[str, Any]:
    data = _read_json(path)
    problems = result_problems(data)
    if problems:
        raise LeaderboardError([f"{path}: {problem}" for problem in problems])
    return data


def entry_filename(name: str) -> str:
    """A safe, stable file name: a readable slug plus a hash of the exact name."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "entry"
    return f"{slug}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:10]}.json"


def store_result(result: dict[str, Any], *, name: str, url: str | None,
                 results_dir: str | Path = RESULTS_DIR, replace: bool = False,
                 source: str = "result") -> Path:
    """Validate a scored result under a name and write it atomically into results_dir (the
    baselines call this with ``baselines/results``); refuses to overwrite unless replace."""
    data = {**result, "name": name, "url": url} if isinstance(result, dict) else result
    problems = result_problems(data)
    if problems:
        raise LeaderboardError([f"{source}: {problem}" for problem in problems])
    target = Path(results_dir) / entry_filename(name)
    if target.exists() and not replace:
        raise LeaderboardError([f"{target}: an entry named {name!r} exists; pass --replace "
                                f"to overwrite it"])
    write_json(target, data)
    return target


def add_entry(result_path: str | Path, *, name: str, url: str | None,
              results_dir: str | Path = RESULTS_DIR, replace: bool = False) -> Path:
    """Store the result file of `kotechnews score --json` on the leaderboard."""
    return store_result(_read_json(result_path), name=name, url=url, results_dir=results_dir, replace=replace,
                        source=str(result_path))


@dataclass(frozen=True)
class Entry:
    name: str
    url: str | None
    date: str
    kind: str  # "submission" or "baseline"
    gold_fingerprint: str
    gold_documents: int
    tasks: dict[str, Any]


def collect_entries(results_dir: str | Path = RESULTS_DIR,
                    baselines_dir: str | Path = BASELINES_DIR) -> list[Entry]:
    """All valid result files of both directories; any invalid file fails the whole render."""
    problems: list[str] = []
    entries = []
    for directory, kind in ((Path(results_dir), "submission"), (Path(baselines_dir), "baseline")):
        for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
            try:
                data = load_result(path)
            except LeaderboardError as exc:
                problems.extend(exc.problems)
                continue
            entries.append(Entry(data["name"], data.get("url"), data["date"], kind,
                                 data["gold"]["fingerprint"], data["gold"]["documents"],
                                 data["tasks"]))
    if problems:
        raise LeaderboardError(problems)
    return entries


def _headline(task: str) -> tuple[str, ...]:
    from kotechnews.scoring.evaluate import TASKS  # loads numpy: only when rendering

    return TASKS[task].HEADLINE


def _metric(entry: Entry, task: str, metric: str) -> dict[str, Any] | None:
    return entry.tasks[task]["metrics"].get(metric)


def task_rows(entries: list[Entry], task: str) -> list[Entry]:
    """Entries with this task, best first by the task's first headline metric."""
    first = _headline(task)[0]

    def key(entry: Entry) -> tuple[float, str]:
        metric = _metric(entry, task, first)
        return (-metric["value"] if metric else math.inf, entry.name)

    return sorted((e for e in entries if task in e.tasks), key=key)


def markdown_escape(text: str) -> str:
    """Text for a Markdown table cell: HTML-significant characters as entities, Markdown
    punctuation backslash-escaped, line breaks removed."""
    text = html.escape(" ".join(text.split()), quote=True)
    return re.sub(r"([\\`*_\[\]()|~])", r"\\\1", text)


def _href(url: str) -> str:
    return quote(url, safe=":/?#@!$&'*+,;=%~.-_")


def render_markdown(entries: list[Entry]) -> str:
    lines = ["# KoTechNews leaderboard", "",
             "Scores x100 with 95% bootstrap confidence intervals (documents resampled). "
             "Generated by `kotechnews leaderboard render`; do not edit by hand.", ""]
    for task, title in TASK_TITLES.items():
        metrics = _headline(task)
        lines += [f"## {title}", ""]
        rows = task_rows(entries, task)
        if not rows:
            lines += ["No entries yet.", ""]
            continue
        lines.append("| # | Name | Kind | " + " | ".join(metrics) + " | Date | Gold |")
        lines.append("|---:|---|---|" + "---:|" * len(metrics) + "---|---|")
        for rank, entry in enumerate(rows, start=1):
            name = markdown_escape(entry.name)
            if entry.url:
                name = f"[{name}]({_href(entry.url)})"
            scores = [with_interval(m) if (m := _metric(entry, task, metric)) else "–"
                      for metric in metrics]
            cells = [str(rank), name, entry.kind, *scores, markdown_escape(entry.date[:10]),
                     markdown_escape(f"{entry.gold_fingerprint[:12]} ({entry.gold_documents} "
                                     f"docs)")]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _data(name: str) -> str:
    return resources.files("kotechnews").joinpath("data", name).read_text(encoding="utf-8")


def _cell(text: str, sort_value: Any, inner_html: str | None = None) -> str:
    value = "" if sort_value is None else str(sort_value)
    return (f'<td data-value="{html.escape(value, quote=True)}">'
            f'{inner_html if inner_html is not None else html.escape(text)}</td>')


def _score_html(metric: dict[str, Any]) -> str:
    text = html.escape(percent(metric["value"]))
    if metric.get("ci"):
        low, high = (html.escape(percent(bound)) for bound in metric["ci"])
        text += f' <span class="ci">[{low}, {high}]</span>'
    return text


def _html_table(entries: list[Entry], task: str) -> str:
    metrics = _headline(task)
    headers = [("#", "number"), ("Name", "text"), ("Kind", "text"),
               *((metric, "number") for metric in metrics), ("Date", "text"), ("Gold", "text")]
    sorted_by = ' aria-sort="descending"'
    head = "".join(
        f'<th scope="col" data-type="{kind}"{sorted_by if label == metrics[0] else ""}>'
        f'<button type="button">{html.escape(label)}</button></th>'
        for label, kind in headers)
    body = []
    for rank, entry in enumerate(task_rows(entries, task), start=1):
        name = html.escape(entry.name)
        if entry.url:
            name = (f'<a href="{html.escape(_href(entry.url), quote=True)}" '
                    f'rel="nofollow noopener noreferrer">{name}</a>')
        cells = [_cell(str(rank), rank), _cell(entry.name, entry.name, name),
                 _cell(entry.kind, entry.kind)]
        for metric in metrics:
            found = _metric(entry, task, metric)
            cells.append(_cell("–", None) if found is None else
                         _cell("", repr(found["value"]), _score_html(found)))
        gold = f"{entry.gold_fingerprint[:12]} ({entry.gold_documents} docs)"
        cells += [_cell(entry.date[:10], entry.date), _cell(gold, gold)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    empty = "" if body else '<caption class="empty">No entries yet.</caption>'
    return (f'<section id="task-{task}"><h2>{html.escape(TASK_TITLES[task])}</h2>'
            f'<table class="board" id="board-{task}">{empty}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></section>')


def render_html(entries: list[Entry]) -> str:
    script = _data("leaderboard.js")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return string.Template(_data("leaderboard.html")).substitute(
        script=script, script_hash=f"sha256-{script_hash}",
        tables="\n".join(_html_table(entries, task) for task in TASK_TITLES),
        version=html.escape(__version__))


def render(out_dir: str | Path = OUTPUT_DIR, results_dir: str | Path = RESULTS_DIR,
           baselines_dir: str | Path = BASELINES_DIR) -> list[Path]:
    """Write LEADERBOARD.md and index.html into out_dir; returns the paths written."""
    entries = collect_entries(results_dir, baselines_dir)
    markdown, page = Path(out_dir) / "LEADERBOARD.md", Path(out_dir) / "index.html"
    atomic_write_text(markdown, render_markdown(entries))
    atomic_write_text(page, render_html(entries))
    return [markdown, page]


# --- command line (thin) ----------------------------------------------------------------------

leaderboard_app = typer.Typer(help="Store scored results and render the leaderboard.",
                              no_args_is_help=True)


def _fail(exc: LeaderboardError) -> None:
    console = Console(stderr=True)
    for problem in exc.problems:
        console.print(f"[red]error[/red]: {escape(problem)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@leaderboard_app.command("add")
def add_command(
    result: Path = typer.Argument(..., help="Result JSON from `kotechnews score --json`."),
    name: str = typer.Option(..., "--name", help="Name shown on the leaderboard."),
    url: str | None = typer.Option(None, "--url", help="Paper or code URL (http/https)."),
    results_dir: Path = typer.Option(RESULTS_DIR, "--results-dir",
                                     help="Leaderboard entries (submitted results)"),
    replace: bool = typer.Option(False, "--replace", help="Overwrite an entry of this name."),
) -> None:
    """Add a scored result to leaderboard/results/."""
    try:
        path = add_entry(result, name=name, url=url, results_dir=results_dir, replace=replace)
    except LeaderboardError as exc:
        _fail(exc)
    Console().print(f"stored {path}", markup=False, highlight=False)


@leaderboard_app.command("render")
def render_command(
    out: Path = typer.Option(OUTPUT_DIR, "--out", help="Directory for LEADERBOARD.md and "
                                                       "index.html."),
    results_dir: Path = typer.Option(RESULTS_DIR, "--results-dir",
                                     help="Leaderboard entries (submitted results)"),
    baselines_dir: Path = typer.Option(BASELINES_DIR, "--baselines-dir",
                                       help="Baseline results"),
) -> None:
    """Render LEADERBOARD.md and index.html from the stored and baseline results."""
    try:
        paths = render(out, results_dir, baselines_dir)
    except LeaderboardError as exc:
        _fail(exc)
    for path in paths:
        Console().print(f"wrote {path}", markup=False, highlight=False)
