"""Benchmark the baselines on the gold: scikit-learn cross-validation time, transformer on CPU.

- scikit-learn entity baseline: full cross-validation (one fit and one prediction per leakage
  group) timed end to end, best of ``--repeats`` runs (target: under 60 s on 2 cores); the whole
  three-task scikit-learn cross-validation timed once.
- transformer baseline (cross-validation + test split, CPU): by default the measurements the last
  ``kotechnews baseline run transformer-e5-small`` stored in baselines/results (fit and predict
  seconds, the run's own peak resident memory: the command is its own process); with
  ``--run-transformer`` the command runs again here in a child process (tens of minutes), timed
  by wall clock with its peak memory from ``RUSAGE_CHILDREN``.

Writes bench/results/baselines.json and bench/results/baselines.md (the Markdown table).

    .venv/bin/python bench/bench_baselines.py [--gold annotation/gold] [--run-transformer]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from kotechnews.baselines.evaluation import cross_validate
from kotechnews.baselines.registry import SKLEARN
from kotechnews.gold import load_gold
from kotechnews.jsonio import atomic_write_text, write_json
from kotechnews.layout import Layout

RESULTS = Path(__file__).resolve().parent / "results"
PROJECT = Layout(Path(__file__).resolve().parents[1])
TRANSFORMER = "transformer-e5-small"
ENTITY_ONLY = replace(SKLEARN, name="sklearn-entities", tasks=("entities",))


def best_time(run, repeats: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        value = run()
        best = min(best, time.perf_counter() - started)
    return best, value


def transformer_summary(results: list[dict], wall_seconds: float | None, peak_mb: float) -> dict:
    return {
        "wall_seconds": wall_seconds,
        "peak_rss_mb": round(peak_mb, 1),
        "protocols": {
            r["baseline"]["protocol"]: {
                "fit_seconds": sum(f["fit_seconds"] for f in r["baseline"]["folds"]),
                "predict_seconds": sum(f["predict_seconds"] for f in r["baseline"]["folds"]),
                "trainings": len(r["baseline"]["folds"]),
                "headline": {
                    task: {
                        m: round(body["metrics"][m]["value"], 4)
                        for m in body["headline"]
                        if m in body["metrics"]
                    }
                    for task, body in r["tasks"].items()
                },
            }
            for r in results
        },
    }


def transformer_stored(results_dir: Path = PROJECT.baseline_results) -> dict | None:
    """Measurements of the stored transformer-e5-small results (None when there are none)."""
    results = [
        r
        for r in (
            json.loads(p.read_text(encoding="utf-8")) for p in sorted(results_dir.glob("*.json"))
        )
        if r.get("baseline", {}).get("system") == TRANSFORMER
    ]
    if not results:
        return None
    return transformer_summary(results, None, max(r["baseline"]["peak_rss_mb"] for r in results))


def transformer_run(gold: Path) -> dict:
    """The transformer baseline in a child process: wall time, peak RSS, its result files."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            "-m",
            "kotechnews.cli",
            "baseline",
            "run",
            TRANSFORMER,
            "--gold",
            str(gold),
            "--results-dir",
            f"{tmp}/results",
            "--work-dir",
            f"{tmp}/work",
            "--no-save-model",
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        results = [
            json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(Path(tmp, "results").glob("*.json"))
        ]
    return transformer_summary(results, round(wall, 1), peak_mb)


def markdown(report: dict) -> str:
    rows = [
        "| measurement | documents | trainings | seconds | peak RSS (MB) | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    entity = report["sklearn_entity_cv"]
    rows.append(
        f"| scikit-learn entity tagger, full cross-validation (best of "
        f"{entity['repeats']}) | {report['documents']} | {entity['folds']} | "
        f"{entity['seconds']} | – | < 60 s: {'met' if entity['seconds'] < 60 else 'missed'} |"
    )
    full = report["sklearn_all_tasks_cv"]
    rows.append(
        f"| scikit-learn, all three tasks, full cross-validation | "
        f"{report['documents']} | {full['folds']} | {full['seconds']} | – | – |"
    )
    if report.get("transformer"):
        run = report["transformer"]
        trainings = sum(p["trainings"] for p in run["protocols"].values())
        fit = sum(p["fit_seconds"] for p in run["protocols"].values())
        predict = sum(p["predict_seconds"] for p in run["protocols"].values())
        seconds = run["wall_seconds"] or round(fit + predict, 1)
        rows.append(
            f"| transformer-e5-small (entities + relations), cross-validation + test, "
            f"CPU (fit {fit:.0f} s, predict {predict:.0f} s) | {report['documents']} | "
            f"{trainings} | {seconds} | {run['peak_rss_mb']} | – |"
        )
    machine = report["machine"]
    return (
        "\n".join(rows) + f"\n\nMachine: {machine['cpus']} CPUs, Python "
        f"{machine['python']}, {machine['platform']}.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=PROJECT.gold)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--run-transformer",
        action="store_true",
        help="run the transformer baseline again (tens of minutes on CPU)",
    )
    args = parser.parse_args()
    gold = load_gold(args.gold)
    entity_seconds, evaluation = best_time(lambda: cross_validate(ENTITY_ONLY, gold), args.repeats)
    full_seconds, full = best_time(lambda: cross_validate(SKLEARN, gold), 1)
    report = {
        "documents": len(gold),
        "sklearn_entity_cv": {
            "seconds": round(entity_seconds, 2),
            "repeats": args.repeats,
            "folds": len(evaluation.folds),
        },
        "sklearn_all_tasks_cv": {"seconds": round(full_seconds, 2), "folds": len(full.folds)},
        "sklearn_process_peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "transformer": (
            transformer_run(args.gold) if args.run_transformer else transformer_stored()
        ),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
    }
    write_json(RESULTS / "baselines.json", report)
    table = markdown(report)
    atomic_write_text(RESULTS / "baselines.md", table)
    print(table)


if __name__ == "__main__":
    main()
