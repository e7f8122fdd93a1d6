"""The main job on the embedded default: every step from raw scrapes to the leaderboard.

Each step is a library call; ``run`` chains them and returns what each wrote, so the CLI only
prints. A step that fails stops the job with its own error (nothing later runs on bad input).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kotechnews import annotation
from kotechnews.document import Document
from kotechnews.gold import GoldError, load_gold
from kotechnews.ingest import ingest_directory
from kotechnews.jsonio import read_jsonl, write_json
from kotechnews.layout import Layout
from kotechnews.records import AnnotatedDocument


@dataclass
class RunState:
    """What the steps share: the project they read and write, the gold, validated and loaded
    once (by the gold step) for the dataset and the baselines, and the documents ingest made
    (for the gold step, so that it does not read them back from documents.jsonl)."""

    layout: Layout
    gold: list[AnnotatedDocument] | None = None
    documents: dict[str, Document] = field(default_factory=dict)


@dataclass
class StepResult:
    name: str
    outputs: list[Path] = field(default_factory=list)
    summary: str = ""


def ingest_step(state: RunState) -> StepResult:
    out = state.layout.ingested
    articles = ingest_directory(state.layout.raw, out)
    state.documents = {article.document.id: article.document for article in articles}
    removed = sum(len(a.removed) for a in articles)
    return StepResult(
        "ingest",
        [out / "documents.jsonl", out / "removed.jsonl"],
        f"{len(articles)} documents, {removed} dropped fragments",
    )


def gold_step(state: RunState) -> StepResult:
    """Validate the gold, check it annotates the text ingest produces now, and check completeness."""
    layout = state.layout
    gold = state.gold = load_gold(layout.gold)
    documents = state.documents
    for doc in gold:
        if doc.id not in documents:
            raise GoldError(f"{layout.gold}: document {doc.id} is not produced by ingest")
        if documents[doc.id].text != doc.text:
            raise GoldError(
                f"{layout.gold}: document {doc.id}: gold text differs from the ingested "
                "text (cleaning changed; re-compile the worksheets)"
            )
    excluded = layout.number_exclusions
    exclusions = list(read_jsonl(excluded)) if excluded.exists() else []
    gaps = [gap for doc in gold for gap in annotation.completeness_gaps(doc, exclusions)]
    if gaps:
        raise GoldError(f"{len(gaps)} completeness gap(s) in the gold, first: {gaps[0]}")
    report = layout.build / "gold_counts.json"
    counts = {k: dict(v) for k, v in annotation.label_counts(gold).items()}
    write_json(report, counts)
    entities = sum(len(d.entities) for d in gold)
    relations = sum(len(d.relations) for d in gold)
    claims = sum(len(d.claims) for d in gold)
    return StepResult(
        "validate gold",
        [layout.gold, report],
        f"{len(gold)} documents: {entities} entities, {relations} relations, "
        f"{claims} numeric claims; no completeness gaps",
    )


def dataset_step(state: RunState) -> StepResult:
    from kotechnews.hfdataset import build

    layout = state.layout
    built = build.build_from_gold(layout.gold, layout.dataset, gold=state.gold, layout=layout)
    splits = {f.split: f.num_examples for f in built.files if f.config == "documents"}
    return StepResult(
        "build dataset",
        [built.out_dir],
        f"KoTechNews {built.version}: {len({f.config for f in built.files})} "
        f"configs; documents per split {splits}",
    )


def baselines_step(state: RunState) -> StepResult:
    """Train and score the scikit-learn baselines (cross-validation and test split)."""
    from kotechnews.baselines.evaluation import run_baseline
    from kotechnews.baselines.registry import SKLEARN

    report = run_baseline(SKLEARN, gold=state.gold, layout=state.layout)
    scores = "; ".join(
        f"{task} {metric} {100 * value:.1f}"
        for task, metrics in report.scores["cv"].items()
        for metric, value in list(metrics.items())[:1]
    )
    return StepResult(
        "scikit-learn baselines",
        [*report.results.values(), report.model],
        f"cross-validation {scores} (95% CIs in the result files)",
    )


def leaderboard_step(state: RunState) -> StepResult:
    from kotechnews.leaderboard import render

    return StepResult(
        "render leaderboard", render(layout=state.layout), "LEADERBOARD.md and index.html"
    )


STEPS: list[Callable[[RunState], StepResult]] = [
    ingest_step,
    gold_step,
    dataset_step,
    baselines_step,
    leaderboard_step,
]


def run(
    build_dir: Path | None = None,
    on_step: Callable[[StepResult], None] = lambda result: None,
    layout: Layout | None = None,
) -> list[StepResult]:
    """Every step on the project of ``layout`` (default: discovered), writing into build_dir
    (default: the project's build/)."""
    layout = layout or Layout.discover()
    if build_dir is not None:
        layout = replace(layout, build_dir=Path(build_dir))
    results, state = [], RunState(layout)
    for step in STEPS:
        result = step(state)
        on_step(result)
        results.append(result)
    return results
