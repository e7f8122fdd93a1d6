"""CLI: `kotechnews validate` and the `kotechnews annotation` group (thin wrappers)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from kotechnews import annotation
from kotechnews.cli_paths import layout_of, project_path
from kotechnews.gold import load_gold
from kotechnews.jsonio import read_jsonl
from kotechnews.labelstudio.validate import validate_tree

console = Console()
err = Console(stderr=True)


annotation_app = typer.Typer(
    help="Gold annotation tools: show, compile, check, counts.", no_args_is_help=True
)

INGESTED = "Ingested documents (made by kotechnews ingest)"


def validate_command(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Exports, worksheets or directories of them"),
    documents: Path = project_path(
        "documents",
        help="Ingested documents the worksheets are "
        "checked against (annotation/raw is "
        "ingested when they are missing)",
    ),
):
    """Check exports against the schema and the text, worksheets against their documents; pull
    reports and stored predictions are recognised and skipped. Exit 1 on any problem."""
    loaded: dict[str, dict] = {}
    raw = layout_of(ctx).raw

    def check_worksheet(sheet: dict, path: Path) -> list:
        if not loaded:
            loaded.update(annotation.documents_or_ingest(documents, raw))
        return annotation.worksheet_problems(sheet, path, loaded)

    report = validate_tree(paths, check_worksheet)
    for problem in report.problems:
        err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    for path, kind in report.skipped:
        console.print(
            f"skipped {path}: a {kind} file, not annotations", markup=False, highlight=False
        )
    checked = report.checked
    if not checked["export"] and not checked["worksheet"] and not report.problems:
        err.print(f"no export files under {', '.join(map(str, paths))}")
        raise typer.Exit(1)
    console.print(
        f"{len(checked['export'])} export file(s), {len(checked['worksheet'])} "
        f"worksheet(s), {len(report.skipped)} skipped, {len(report.problems)} problem(s)"
    )
    raise typer.Exit(1 if report.problems else 0)


@annotation_app.command("show")
def show_command(
    source_file: str = typer.Argument(..., help="The document's source_file"),
    documents: Path = project_path("documents", help=INGESTED),
):
    """Print a document's clean text as numbered sentences (what annotators read)."""
    rows = annotation.documents_by_source(documents)
    if source_file not in rows:
        err.print(f"{documents}: no document with source_file {source_file!r}")
        raise typer.Exit(1)
    print(annotation.numbered_sentences(rows[source_file]))  # plain: no wrapping inside sentences


@annotation_app.command("compile")
def compile_command(
    worksheets: Path = project_path("worksheets", help="Annotators' worksheets"),
    documents: Path = project_path("documents", help=INGESTED),
    gold_dir: Path = project_path("gold", help="Where the gold exports go"),
    exclusions: Path = project_path("number_exclusions", help="Where the number exclusions go"),
):
    """Compile annotation worksheets into gold Label Studio exports (offsets computed by code)."""
    records = annotation.compile_gold(
        worksheets, annotation.documents_by_source(documents), gold_dir, exclusions
    )
    console.print(f"compiled {len(records)} worksheet(s) into {gold_dir}")


@annotation_app.command("check")
def check_command(
    gold_dir: Path = project_path("gold", help="Gold Label Studio exports"),
    exclusions: Path = project_path("number_exclusions", help="Numbers excluded by a named rule"),
):
    """List unexplained numbers and unannotated repeats of annotated surfaces; exit 1 if any."""
    excluded = list(read_jsonl(exclusions)) if exclusions.exists() else []
    gaps = [
        gap for doc in load_gold(gold_dir) for gap in annotation.completeness_gaps(doc, excluded)
    ]
    for gap in gaps:
        err.print(str(gap), markup=False, highlight=False, soft_wrap=True)
    console.print(f"{len(gaps)} completeness gap(s)")
    raise typer.Exit(1 if gaps else 0)


@annotation_app.command("agreement")
def agreement_command(
    documents: Path = project_path("documents", help=INGESTED),
    agreement_dir: Path = project_path("agreement", help="annotator-a/, annotator-b/"),
    worksheets: Path = project_path("worksheets", help="adjudicated worksheets"),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a Markdown table"),
):
    """Inter-annotator agreement before adjudication (a vs b) and after (each vs adjudicated gold)."""
    result = annotation.agreement_comparisons(
        agreement_dir, worksheets, annotation.documents_by_source(documents)
    )
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(annotation.agreement_markdown(result))


@annotation_app.command("counts")
def counts_command(
    gold_dir: Path = project_path("gold", help="Gold Label Studio exports"),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a Markdown table"),
):
    """Label counts per type and per article (Markdown table or JSON)."""
    records = load_gold(gold_dir)
    if as_json:
        counts = annotation.label_counts(records)
        console.print_json(json.dumps({k: dict(v) for k, v in counts.items()}, ensure_ascii=False))
    else:
        print(annotation.counts_markdown(records))


@annotation_app.command("preannotations")
def preannotations_command(
    predictions: Path = project_path("preannotations", help="Stored Label Studio predictions"),
    gold_dir: Path = project_path("gold", help="Gold Label Studio exports"),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a Markdown table"),
):
    """Precision and recall of the stored pre-annotations against the gold, per type."""
    from kotechnews.preannotation import load_preannotations, preannotation_quality

    gold = load_gold(gold_dir)
    result = {
        source: preannotation_quality(body, gold)
        for source, body in load_preannotations(predictions).items()
    }
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print("| pre-annotation | type | gold | predicted | precision | recall | F1 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for source, table in result.items():
        for name, row in table.items():
            print(
                f"| {source} | {name} | {row['support']} | {row['predicted']} | "
                f"{row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} |"
            )


def run_command(
    ctx: typer.Context, build_dir: Path = project_path("build", help="Working directory")
):
    """The main job: ingest, validate the gold, build the dataset, baselines, leaderboard."""
    from kotechnews import pipeline

    layout = layout_of(ctx)

    def show(result: pipeline.StepResult) -> None:
        console.print(f"[bold green]✓ {result.name}[/]: {result.summary}")
        for path in result.outputs:
            console.print(f"    → {layout.shown(path)}", highlight=False)

    pipeline.run(build_dir, on_step=show, layout=layout)
