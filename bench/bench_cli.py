"""Start-up time of the command line: `kotechnews --help` and `kotechnews COMMAND --help` as
separate processes, median of N runs (target: under 0.5 s for `kotechnews --help`).

    python bench/bench_cli.py --repeats 10
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

KOTECHNEWS = str(Path(sys.executable).with_name("kotechnews"))
COMMANDS = [[], ["score"], ["ls"], ["baseline", "run"], ["build"]]
RESULTS = Path(__file__).parent / "results" / "cli.json"


def median_seconds(args: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([KOTECHNEWS, *args, "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    repeats = parser.parse_args().repeats
    results = {
        " ".join(["kotechnews", *args, "--help"]): round(median_seconds(args, repeats), 3)
        for args in COMMANDS
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps({"repeats": repeats, "median_seconds": results}, indent=2) + "\n",
        encoding="utf-8",
    )
    for command, seconds in results.items():
        print(f"{seconds:6.3f} s  {command}")


if __name__ == "__main__":
    main()
