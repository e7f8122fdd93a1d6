"""Benchmark the dataset build and datasets.load_dataset per config.

Gold: annotation/gold when it has exports, else the synthetic gold of the tests (written to a temp
dir), recorded in the results. Each repeat builds into a fresh directory and loads every config with
a fresh cache (cold: Parquet is read and converted to an Arrow cache) and then again from that cache
(warm). Reports median and min over the repeats. Writes bench/results/dataset.json and prints a
Markdown table.

    .venv/bin/python bench/bench_dataset.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import datasets
from rich.console import Console
from rich.progress import track

from kotechnews import gold
from kotechnews.hfdataset.build import build_dataset, dataset_files, latest_version
from kotechnews.hfdataset.features import CONFIG_NAMES
from kotechnews.jsonio import write_json
from kotechnews.layout import Layout

RESULTS = Path(__file__).resolve().parent / "results" / "dataset.json"
TESTS = Path(__file__).resolve().parents[1] / "tests"
PROJECT = Layout(Path(__file__).resolve().parents[1])


def gold_records(tmp: Path) -> tuple[str, list]:
    if PROJECT.gold.is_dir() and any(PROJECT.gold.glob("*.json")):
        return "annotation/gold", gold.load_gold(PROJECT.gold)
    sys.path.insert(0, str(TESTS))
    from test_dataset_synthetic import write_synthetic_gold

    write_synthetic_gold(tmp / "gold")
    return "synthetic test gold (annotation/gold is empty)", gold.load_gold(tmp / "gold")


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        source, records = gold_records(tmp)
        version = latest_version(PROJECT.changelog)
        times: dict[str, list[float]] = {"build": []}
        for config in CONFIG_NAMES:
            times[f"load {config} (cold)"] = []
            times[f"load {config} (warm)"] = []
        for repeat in track(range(args.repeats), description="building and loading"):
            out = tmp / f"dataset-{repeat}"
            times["build"].append(timed(lambda: build_dataset(records, out, version)))
            cache = tmp / f"cache-{repeat}"
            for config in CONFIG_NAMES:
                for state in ("cold", "warm"):
                    times[f"load {config} ({state})"].append(
                        timed(lambda: datasets.load_dataset(str(out), config, cache_dir=str(cache)))
                    )
        size = sum(
            (tmp / "dataset-0" / rel).stat().st_size for rel in dataset_files(tmp / "dataset-0")
        )
    results = {
        "gold": source,
        "documents": len(records),
        "entities": sum(len(d.entities) for d in records),
        "dataset_bytes": size,
        "repeats": args.repeats,
        "seconds": {
            name: {"median": round(statistics.median(values), 4), "min": round(min(values), 4)}
            for name, values in times.items()
        },
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "datasets": metadata.version("datasets"),
            "pyarrow": metadata.version("pyarrow"),
        },
    }
    write_json(RESULTS, results)
    lines = [
        f"gold: {source}; {len(records)} documents; dataset {size} bytes; {args.repeats} repeats",
        "",
        "| step | median s | min s |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {name} | {v['median']:.3f} | {v['min']:.3f} |" for name, v in results["seconds"].items()
    ]
    Console().print("\n".join(lines), markup=False, highlight=False)


if __name__ == "__main__":
    main()
