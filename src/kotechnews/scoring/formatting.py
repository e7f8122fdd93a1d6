"""Scores as people read them (x100, with the interval), shared by the reports and the
leaderboard; no heavy imports."""

from __future__ import annotations

from typing import Any


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.2f}"


def with_interval(entry: dict[str, Any]) -> str:
    text = percent(entry["value"])
    if entry.get("ci"):
        low, high = entry["ci"]
        text += f" [{percent(low)}, {percent(high)}]"
    return text
