"""The main job on the embedded default: every step from raw scrapes to the leaderboard.

Each step is a library call; ``run`` chains them and returns what each wrote, so the CLI only
prints. A step that fails stops the job with its own error (nothing later runs on bad input).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kotechnews import annotation
from kotechnews.gold import GOLD_DIR, PROJECT_ROOT, GoldError, load_gold
from kotechnews.ingest import ingest_directory
from kotechnews.jsonio import read_jsonl

RAW_DIR = PROJECT_ROOT / "annotation" / "raw"
BUILD_DIR = PROJECT_ROOT / "build"
EXCLUSIONS = PROJECT_ROOT / "annotation" / "number_exclusions.jsonl"


@dataclass
class StepResult:
    name: str
    outputs: list[Path] = field(default_factory=list)
    summary: str = ""


def ingest_step(build_dir: Path) -> StepResult:
    out = build_dir / "ingested"
    articles = ingest_directory(RAW_DIR, out)
    removed = sum(len(a.removed) for a in articles)
    return StepResult("ingest", [out / "documents.jsonl", out / "removed.jsonl"],
                      f"{len(articles)} documents, {removed} dropped fragments")


def gold_step(build_dir: Path) -> StepResult:
    """Validate the gold, check it annotates the text ingest produces now, and check completeness."""
    gold = load_gold(GOLD_DIR)
    documents = {row["id"]: row for row in read_jsonl(build_dir / "ingested" / "documents.jsonl")}
    for doc in gold:
        if doc.id not in documents:
            raise GoldError(f"{GOLD_DIR}: document {doc.id} is not produced by ingest")
        if documents[doc.id]["text"] != doc.text:
            raise GoldError(f"{GOLD_DIR}: document {doc.id}: gold text differs from the ingested "
                            "text (cleaning changed; re-compile the worksheets)")
    exclusions = list(read_jsonl(EXCLUSIONS)) if EXCLUSIONS.exists() else []
    gaps = [gap for doc in gold for gap in annotation.completeness_gaps(doc, exclusions)]
    if gaps:
        raise GoldError(f"{len(gaps)} completeness gap(s) in the gold, first: {gaps[0]}")
    report = build_dir / "gold_counts.json"
    counts = {k: dict(v) for k, v in annotation.label_counts(gold).items()}
    report.write_text(json.dumps(counts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    entities = sum(len(d.entities) for d in gold)
    relations = sum(len(d.relations) for d in gold)
    claims = sum(len(d.claims) for d in gold)
    return StepResult("validate gold", [GOLD_DIR, report],
                      f"{len(gold)} documents: {entities} entities, {relations} relations, "
                      f"{claims} numeric claims; no completeness gaps")


STEPS: list[Callable[[Path], StepResult]] = [ingest_step, gold_step]


def run(build_dir: Path = BUILD_DIR,
        on_step: Callable[[StepResult], None] = lambda result: None) -> list[StepResult]:
    results = []
    for step in STEPS:
        result = step(build_dir)
        on_step(result)
        results.append(result)
    return results
