"""Readable (rich) reports of a score result, a comparison and validation issues."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kotechnews.scoring.formatting import percent, with_interval
from kotechnews.scoring.submission import ValidationIssue


def print_issues(issues: Iterable[ValidationIssue], console: Console) -> None:
    for issue in issues:
        style = "red" if issue.severity == "error" else "yellow"
        console.print(f"[{style}]{issue.severity}[/{style}]: {escape(str(issue))}", soft_wrap=True)


def print_result(result: dict[str, Any], console: Console) -> None:
    for warning in result["warnings"]:
        console.print(f"[yellow]warning[/yellow]: {escape(warning)}", soft_wrap=True)
    gold, submission = result["gold"], result["submission"]
    console.print(
        f"gold: {escape(gold['source'])} ({gold['documents']} documents); "
        f"submission: {escape(submission['source'])} "
        f"({submission['documents']} documents)",
        soft_wrap=True,
    )
    level = int(round(result["bootstrap"]["confidence"] * 100))
    interval = (
        f"{level}% CI, {result['bootstrap']['samples']} bootstrap samples"
        if result["bootstrap"]["samples"]
        else "no bootstrap"
    )
    for task_name, task in result["tasks"].items():
        table = Table(title=f"{task_name} (scores x100; {interval})", title_justify="left")
        table.add_column("metric")
        table.add_column("score", justify="right")
        for metric, entry in task["metrics"].items():
            style = "bold" if metric in task["headline"] else None
            table.add_row(metric, with_interval(entry), style=style)
        console.print(table)
        if task.get("per_type"):
            by_type = Table(title=f"{task_name} by type (strict)", title_justify="left")
            for column in ("type", "P", "R", "F1", "gold", "predicted"):
                by_type.add_column(column, justify="left" if column == "type" else "right")
            for name, row in task["per_type"].items():
                by_type.add_row(
                    name,
                    percent(row["precision"]),
                    percent(row["recall"]),
                    percent(row["f1"]),
                    str(row["support"]),
                    str(row["predicted"]),
                )
            console.print(by_type)


def print_comparison(comparison: dict[str, Any], console: Console) -> None:
    for warning in comparison["warnings"]:
        console.print(f"[yellow]warning[/yellow]: {escape(warning)}", soft_wrap=True)
    console.print(
        f"A: {escape(comparison['a']['source'])}\nB: {escape(comparison['b']['source'])}",
        soft_wrap=True,
    )
    samples = comparison["bootstrap"]["samples"]
    level = int(round(comparison["bootstrap"]["confidence"] * 100))
    for task_name, metrics in comparison["tasks"].items():
        table = Table(
            title=f"{task_name}: paired bootstrap, {samples} samples (scores x100)",
            title_justify="left",
        )
        for column in ("metric", "A", "B", "A-B", f"{level}% CI of A-B", "p (A > B)"):
            table.add_column(column, justify="left" if column == "metric" else "right")
        for metric, entry in metrics.items():
            interval, p_value = "–", "–"  # not measurable: the warnings above say why
            if entry["delta_ci"] is not None:
                low, high = entry["delta_ci"]
                interval, p_value = f"[{percent(low)}, {percent(high)}]", f"{entry['p_value']:.4f}"
            table.add_row(
                metric,
                percent(entry["a"]),
                percent(entry["b"]),
                percent(entry["delta"]),
                interval,
                p_value,
            )
        console.print(table)
