"""LEADERBOARD.md and a static, sortable index.html: one table per protocol and task.

A test-split score and a cross-validation score measure different things, so each protocol has
its own tables and is never ranked with the other. Within a protocol, entries whose gold
fingerprint is the current dataset's are ranked; entries scored on other gold (an earlier
release, a changed annotation) are listed apart below, unranked. Every string from a result file
or the dataset card is HTML-escaped on the page and escaped in the Markdown; the page's only
script is pinned by a Content-Security-Policy hash.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from kotechnews import __version__, schema
from kotechnews.jsonio import atomic_write_text
from kotechnews.layout import Layout
from kotechnews.leaderboard.entries import (
    PROTOCOLS,
    SCORED_BY_BASELINE,
    SCORED_BY_SUBMISSION,
    Entry,
    collect_entries,
)
from kotechnews.scoring.formatting import percent, with_interval

if TYPE_CHECKING:  # dataset loads `datasets`: imported when rendering
    from kotechnews.leaderboard.dataset import DatasetReference

TASK_TITLES = {task.name: task.title for task in schema.TASKS}
PROTOCOL_KEYS = {title: key for key, title in PROTOCOLS.items()}  # "test split" -> "test"
PROTOCOL_NOTES = {
    PROTOCOLS["test"]: "Trained on anything but the test split; scored on the {documents} "
    "documents of the test split.",
    PROTOCOLS["cross-validation"]: "Out-of-fold predictions for each of the {documents} train "
    "and validation documents, each from a model not trained on "
    "that document's fold (the dataset's `fold` column); scored "
    "pooled. The test split is never seen.",
}
KINDS = (
    f"submission: scored from its predictions by `{SCORED_BY_SUBMISSION}`; baseline: "
    f"scored by `{SCORED_BY_BASELINE}`; self-reported: a result file this tool did not "
    f"score."
)
OTHER_GOLD = (
    "Scored on other gold (fingerprint differs from this dataset's): listed apart, not ranked."
)


def _headline(task: str) -> tuple[str, ...]:
    from kotechnews.scoring.evaluate import TASKS  # loads numpy: only when rendering

    return TASKS[task].HEADLINE


def _metric(entry: Entry, task: str, metric: str) -> dict[str, Any] | None:
    return entry.tasks[task]["metrics"].get(metric)


@dataclass(frozen=True)
class Board:
    """The rows of one task under one protocol: ranked on the current gold, and apart."""

    task: str
    protocol: str
    ranked: list[Entry]
    other_gold: list[Entry]

    @property
    def title(self) -> str:
        return f"{TASK_TITLES[self.task]} — {self.protocol}"

    @property
    def anchor(self) -> str:
        return f"board-{self.task}-{PROTOCOL_KEYS[self.protocol]}"


def _best_first(entries: list[Entry], task: str) -> list[Entry]:
    first = _headline(task)[0]

    def key(entry: Entry) -> tuple[float, str]:
        metric = _metric(entry, task, first)
        return (-metric["value"] if metric else math.inf, entry.name)

    return sorted(entries, key=key)


def boards(entries: list[Entry], dataset: DatasetReference) -> list[Board]:
    """One board per protocol and task, in page order (protocols, then tasks)."""
    out = []
    for protocol in PROTOCOLS.values():
        current = dataset.fingerprints[protocol]
        for task in TASK_TITLES:
            rows = [e for e in entries if e.protocol == protocol and task in e.tasks]
            out.append(
                Board(
                    task,
                    protocol,
                    _best_first([e for e in rows if e.gold_fingerprint == current], task),
                    _best_first([e for e in rows if e.gold_fingerprint != current], task),
                )
            )
    return out


def markdown_escape(text: str) -> str:
    """Text for a Markdown table cell: HTML-significant characters as entities, Markdown
    punctuation backslash-escaped, line breaks removed."""
    text = html.escape(" ".join(text.split()), quote=True)
    return re.sub(r"([\\`*_\[\]()|~])", r"\\\1", text)


def _href(url: str) -> str:
    return quote(url, safe=":/?#@!$&'*+,;=%~.-_")


def _gold(entry: Entry) -> str:
    return f"{entry.gold_fingerprint[:12]} ({entry.gold_documents} docs)"


def _intro(dataset: DatasetReference, card_href: str) -> dict[str, str]:
    """The dataset line of both renderings, as Markdown and as HTML."""
    version = f"KoTechNews {dataset.version}"
    prints = ", ".join(
        f"{protocol} `{dataset.fingerprints[protocol][:12]}`" for protocol in PROTOCOLS.values()
    )
    html_prints = ", ".join(
        f"{html.escape(protocol)} <code>{html.escape(dataset.fingerprints[protocol][:12])}</code>"
        for protocol in PROTOCOLS.values()
    )
    return {
        "markdown": f"Dataset: [{markdown_escape(version)}]({_href(card_href)}) "
        f"(`{markdown_escape(dataset.label)}`); gold fingerprints: {prints}.",
        "html": f'Dataset: <a href="{html.escape(_href(card_href), quote=True)}">'
        f"{html.escape(version)}</a> (<code>{html.escape(dataset.label)}</code>); "
        f"gold fingerprints: {html_prints}.",
    }


def _markdown_rows(board: Board, rows: list[Entry], ranked: bool) -> list[str]:
    metrics = _headline(board.task)
    lines = [
        "| # | Name | Revision | Kind | " + " | ".join(metrics) + " | Dataset | Date | Gold |",
        "|---:|---|---|---|" + "---:|" * len(metrics) + "---|---|---|",
    ]
    for rank, entry in enumerate(rows, start=1):
        name = markdown_escape(entry.name)
        if entry.url:
            name = f"[{name}]({_href(entry.url)})"
        scores = [
            with_interval(m) if (m := _metric(entry, board.task, metric)) else "–"
            for metric in metrics
        ]
        cells = [
            str(rank) if ranked else "–",
            name,
            markdown_escape(entry.revision or "–"),
            entry.kind,
            *scores,
            markdown_escape(entry.dataset_version or "–"),
            markdown_escape(entry.date[:10]),
            markdown_escape(_gold(entry)),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_markdown(entries: list[Entry], dataset: DatasetReference, card_href: str) -> str:
    lines = [
        "# KoTechNews leaderboard",
        "",
        _intro(dataset, card_href)["markdown"],
        "",
        "Scores x100 with 95% bootstrap confidence intervals (documents resampled). Each "
        "protocol is its own ranking: a test-split score is never ranked against a "
        "cross-validation score. Generated by `kotechnews leaderboard render`; do not edit "
        "by hand.",
        "",
        f"Kind: {KINDS}",
        "",
    ]
    protocol = None
    for board in boards(entries, dataset):
        if board.protocol != protocol:
            protocol = board.protocol
            lines += [
                f"## {protocol[0].upper()}{protocol[1:]}",
                "",
                PROTOCOL_NOTES[protocol].format(documents=dataset.documents[protocol]),
                "",
            ]
        lines += [f"### {board.title}", ""]
        if board.ranked:
            lines += [*_markdown_rows(board, board.ranked, ranked=True), ""]
        else:
            lines += ["No entries yet.", ""]
        if board.other_gold:
            lines += [OTHER_GOLD, "", *_markdown_rows(board, board.other_gold, ranked=False), ""]
    return "\n".join(lines)


def _data(name: str) -> str:
    return resources.files("kotechnews").joinpath("data", name).read_text(encoding="utf-8")


def _cell(text: str, sort_value: Any, inner_html: str | None = None) -> str:
    value = "" if sort_value is None else str(sort_value)
    return (
        f'<td data-value="{html.escape(value, quote=True)}">'
        f"{inner_html if inner_html is not None else html.escape(text)}</td>"
    )


def _score_html(metric: dict[str, Any]) -> str:
    text = html.escape(percent(metric["value"]))
    if metric.get("ci"):
        low, high = (html.escape(percent(bound)) for bound in metric["ci"])
        text += f' <span class="ci">[{low}, {high}]</span>'
    return text


def _html_table(board: Board, rows: list[Entry], ranked: bool) -> str:
    metrics = _headline(board.task)
    headers = [
        ("#", "number"),
        ("Name", "text"),
        ("Revision", "text"),
        ("Kind", "text"),
        *((metric, "number") for metric in metrics),
        ("Dataset", "text"),
        ("Date", "text"),
        ("Gold", "text"),
    ]
    sorted_by = ' aria-sort="descending"'
    head = "".join(
        f'<th scope="col" data-type="{kind}"{sorted_by if label == metrics[0] else ""}>'
        f'<button type="button">{html.escape(label)}</button></th>'
        for label, kind in headers
    )
    body = []
    for rank, entry in enumerate(rows, start=1):
        name = html.escape(entry.name)
        if entry.url:
            name = (
                f'<a href="{html.escape(_href(entry.url), quote=True)}" '
                f'rel="nofollow noopener noreferrer">{name}</a>'
            )
        cells = [
            _cell(str(rank), rank) if ranked else _cell("–", None),
            _cell(entry.name, entry.name, name),
            _cell(entry.revision or "–", entry.revision or ""),
            _cell(entry.kind, entry.kind),
        ]
        for metric in metrics:
            found = _metric(entry, board.task, metric)
            cells.append(
                _cell("–", None)
                if found is None
                else _cell("", repr(found["value"]), _score_html(found))
            )
        cells += [
            _cell(entry.dataset_version or "–", entry.dataset_version or ""),
            _cell(entry.date[:10], entry.date),
            _cell(_gold(entry), _gold(entry)),
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    table_id = board.anchor if ranked else f"{board.anchor}-other"
    classes = "board" if ranked else "board other-gold"
    empty = "" if body else '<caption class="empty">No entries yet.</caption>'
    return (
        f'<table class="{classes}" id="{table_id}">{empty}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _html_boards(entries: list[Entry], dataset: DatasetReference) -> str:
    parts, protocol = [], None
    for board in boards(entries, dataset):
        if board.protocol != protocol:
            if protocol is not None:
                parts.append("</section>")
            protocol = board.protocol
            note = PROTOCOL_NOTES[protocol].format(documents=dataset.documents[protocol])
            parts.append(
                f'<section id="protocol-{PROTOCOL_KEYS[protocol]}">'
                f"<h2>{html.escape(protocol[0].upper() + protocol[1:])}</h2>"
                f'<p class="note">{_code_spans(note)}</p>'
            )
        parts.append(
            f"<h3>{html.escape(board.title)}</h3>" + _html_table(board, board.ranked, ranked=True)
        )
        if board.other_gold:
            parts.append(
                f'<p class="note">{html.escape(OTHER_GOLD)}</p>'
                + _html_table(board, board.other_gold, ranked=False)
            )
    return "\n".join([*parts, "</section>"])


def _code_spans(text: str) -> str:
    """Fixed explanatory text with `code` spans, as HTML."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def render_html(entries: list[Entry], dataset: DatasetReference, card_href: str) -> str:
    script = _data("leaderboard.js")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return string.Template(_data("leaderboard.html")).substitute(
        script=script,
        script_hash=f"sha256-{script_hash}",
        dataset=_intro(dataset, card_href)["html"],
        kinds=_code_spans(f"Kind: {KINDS}"),
        tables=_html_boards(entries, dataset),
        version=html.escape(__version__),
    )


def render(
    out_dir: str | Path | None = None,
    results_dir: str | Path | None = None,
    baselines_dir: str | Path | None = None,
    dataset: str | Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
    layout: Layout | None = None,
) -> list[Path]:
    """Write LEADERBOARD.md and index.html into out_dir against the gold of ``dataset`` (a folder
    or a Hub repo id); returns the paths written. An invalid result file writes nothing. What is
    left out is the project's (``layout``, default: discovered): leaderboard/, its results,
    baselines/results and dataset/."""
    from kotechnews.leaderboard.dataset import dataset_reference  # loads datasets

    layout = layout or Layout.discover()
    out_dir = out_dir or layout.leaderboard
    entries = collect_entries(
        results_dir or layout.leaderboard_results, baselines_dir or layout.baseline_results
    )
    reference = dataset_reference(dataset or layout.dataset, progress, layout)
    card_href = reference.card_href(out_dir)
    texts = {
        Path(out_dir) / "LEADERBOARD.md": render_markdown(entries, reference, card_href),
        Path(out_dir) / "index.html": render_html(entries, reference, card_href),
    }
    for path, text in texts.items():
        atomic_write_text(path, text)
    return list(texts)
