"""Result records on the leaderboard: validation, atomic storage, and the entries a render shows.

No heavy imports: the command line imports this module for ``kotechnews --help``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kotechnews.errors import KoTechNewsError
from kotechnews.jsonio import write_json
from kotechnews.layout import Layout
from kotechnews.scoring.defaults import PROTOCOL_TITLES, RESULT_FORMAT, TASK_NAMES

MAX_NAME_LENGTH = 80
MAX_REVISION_LENGTH = 100
# --protocol choice -> the protocol as results store it (the baselines' titles), in page order
PROTOCOLS: dict[str, str] = {
    "test": PROTOCOL_TITLES["test"],
    "cross-validation": PROTOCOL_TITLES["cv"],
}
SCORED_BY_SUBMISSION = "kotechnews leaderboard add"
SCORED_BY_BASELINE = "kotechnews baseline run"


class LeaderboardError(KoTechNewsError, ValueError):
    """Invalid result files, predictions or entry metadata; lists every problem found."""

    exit_code = 2

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))

    def report(self) -> None:
        from rich.console import Console
        from rich.markup import escape

        console = Console(stderr=True)
        for problem in self.problems:
            console.print(f"[red]error[/red]: {escape(problem)}", highlight=False, soft_wrap=True)


def _text_problem(field: str, value: Any, max_length: int, required: bool) -> str | None:
    """A short free-text field (name, revision): printable, trimmed and bounded."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        return (
            f"{field} is required (a non-empty string)"
            if required
            else f"{field} must be a non-empty string or null"
        )
    if value != value.strip():
        return f"{field} must not start or end with whitespace"
    if len(value) > max_length:
        return f"{field} is longer than {max_length} characters"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs") for ch in value):
        return f"{field} must not contain control or format characters"
    return None


def name_problem(name: Any) -> str | None:
    return _text_problem("name", name, MAX_NAME_LENGTH, required=True)


def revision_problem(revision: Any) -> str | None:
    return _text_problem("revision", revision, MAX_REVISION_LENGTH, required=False)


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


def entry_problems(name: Any, url: Any, revision: Any) -> list[str]:
    """What is wrong with the metadata a submitter gives (field: message)."""
    return [
        f"{field}: {problem}"
        for field, problem in (
            ("name", name_problem(name)),
            ("url", url_problem(url)),
            ("revision", revision_problem(revision)),
        )
        if problem
    ]


def result_protocol(data: dict[str, Any]) -> Any:
    """The protocol of a result; baseline results written before it was a top-level field carry
    it in ``baseline.protocol``."""
    baseline = data.get("baseline")
    return data.get("protocol", baseline.get("protocol") if isinstance(baseline, dict) else None)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _metric_problems(task: str, metric: str, entry: Any) -> list[str]:
    where = f"tasks.{task}.metrics.{metric}"
    if not isinstance(entry, dict) or not _is_number(entry.get("value")):
        return [f"{where}.value: expected a finite number"]
    ci = entry.get("ci")
    if ci is not None and not (
        isinstance(ci, list) and len(ci) == 2 and all(_is_number(v) for v in ci)
    ):
        return [f"{where}.ci: expected null or [low, high]"]
    return []


def result_problems(data: Any) -> list[str]:
    """Everything wrong with a result record (field path and message per problem)."""
    if not isinstance(data, dict):
        return ["expected a JSON object"]
    problems = []
    if data.get("format") != RESULT_FORMAT:
        problems.append(f"format: expected {RESULT_FORMAT!r}, got {data.get('format')!r}")
    problems += entry_problems(data.get("name"), data.get("url"), data.get("revision"))
    protocol = result_protocol(data)
    if protocol not in PROTOCOLS.values():
        problems.append(
            f"protocol: expected one of {', '.join(map(repr, PROTOCOLS.values()))}, "
            f"got {protocol!r}"
        )
    scored_by = data.get("scored_by")
    if scored_by not in (None, SCORED_BY_SUBMISSION, SCORED_BY_BASELINE):
        problems.append(
            f"scored_by: expected {SCORED_BY_SUBMISSION!r}, {SCORED_BY_BASELINE!r} "
            f"or null, got {scored_by!r}"
        )
    dataset = data.get("dataset")
    if dataset is not None and not (
        isinstance(dataset, dict) and isinstance(dataset.get("version"), str)
    ):
        problems.append("dataset: expected null or {version, source}")
    if not isinstance(data.get("date"), str):
        problems.append("date: expected an ISO 8601 string")
    gold = data.get("gold")
    if not (
        isinstance(gold, dict)
        and isinstance(gold.get("fingerprint"), str)
        and isinstance(gold.get("documents"), int)
    ):
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


def entry_path(name: str, results_dir: str | Path, replace: bool) -> Path:
    """Where an entry of this name goes; refuses an existing one unless replace."""
    target = Path(results_dir) / entry_filename(name)
    if target.exists() and not replace:
        raise LeaderboardError(
            [f"{target}: an entry named {name!r} exists; pass --replace to overwrite it"]
        )
    return target


def store_result(
    result: dict[str, Any],
    *,
    name: str,
    url: str | None,
    results_dir: str | Path | None = None,
    replace: bool = False,
    source: str = "result",
) -> Path:
    """Validate a scored result under a name and write it atomically into results_dir (default:
    the project's leaderboard/results; the baselines give ``baselines/results``); refuses to
    overwrite unless replace."""
    data = {**result, "name": name, "url": url} if isinstance(result, dict) else result
    problems = result_problems(data)
    if problems:
        raise LeaderboardError([f"{source}: {problem}" for problem in problems])
    target = entry_path(name, results_dir or Layout.discover().leaderboard_results, replace)
    write_json(target, data)
    return target


@dataclass(frozen=True)
class Entry:
    name: str
    url: str | None
    revision: str | None
    protocol: str  # a value of PROTOCOLS
    kind: str  # "submission", "self-reported" or "baseline"
    date: str
    dataset_version: str | None
    gold_fingerprint: str
    gold_documents: int
    tasks: dict[str, Any]


def _kind(data: dict[str, Any], from_baselines: bool) -> str:
    if from_baselines:
        return "baseline"
    return "submission" if data.get("scored_by") == SCORED_BY_SUBMISSION else "self-reported"


def collect_entries(
    results_dir: str | Path | None = None, baselines_dir: str | Path | None = None
) -> list[Entry]:
    """All valid result files of both directories (default: the project's leaderboard and
    baseline results); any invalid file fails the whole render."""
    if results_dir is None or baselines_dir is None:
        layout = Layout.discover()
        results_dir = results_dir or layout.leaderboard_results
        baselines_dir = baselines_dir or layout.baseline_results
    problems: list[str] = []
    entries = []
    for directory, from_baselines in ((Path(results_dir), False), (Path(baselines_dir), True)):
        for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
            try:
                data = load_result(path)
            except LeaderboardError as exc:
                problems.extend(exc.problems)
                continue
            dataset = data.get("dataset") or {}
            entries.append(
                Entry(
                    data["name"],
                    data.get("url"),
                    data.get("revision"),
                    result_protocol(data),
                    _kind(data, from_baselines),
                    data["date"],
                    dataset.get("version"),
                    data["gold"]["fingerprint"],
                    data["gold"]["documents"],
                    data["tasks"],
                )
            )
    if problems:
        raise LeaderboardError(problems)
    return entries
