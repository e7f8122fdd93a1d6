"""`kotechnews leaderboard add` and `render`: argument parsing and printing only."""

from __future__ import annotations

import enum
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from kotechnews.cli_paths import layout_of, project_path
from kotechnews.leaderboard.entries import PROTOCOLS

ProtocolChoice = enum.Enum("ProtocolChoice", {key: key for key in PROTOCOLS}, type=str)

leaderboard_app = typer.Typer(
    help="Score submissions onto the leaderboard and render it.", no_args_is_help=True
)

_DATASET_HELP = (
    "Dataset whose gold is scored against: a folder or a Hub repo id "
    "(default: this project's dataset/)."
)
_RESULTS = project_path(
    "leaderboard_results", "--results-dir", help="Leaderboard entries (submissions)."
)


@leaderboard_app.command("add")
def add_command(
    ctx: typer.Context,
    predictions: Path = typer.Argument(
        ...,
        help="Predictions JSONL: one document per line, the format of `kotechnews score "
        "--pred`. A result JSON is refused: the leaderboard scores entries itself.",
    ),
    name: str = typer.Option(..., "--name", help="Model name shown on the leaderboard."),
    protocol: ProtocolChoice = typer.Option(
        ...,
        "--protocol",
        help="test: predictions for the test split, from a model that never saw it. "
        "cross-validation: predictions for every train and validation document, each from "
        "a model not trained on that document's fold (the dataset's `fold` column).",
    ),
    url: str | None = typer.Option(None, "--url", help="Code or model URL (http/https)."),
    revision: str | None = typer.Option(
        None, "--revision", help="Revision of the code or model (a commit, a Hub revision)."
    ),
    dataset: str = project_path("dataset", "--dataset", help=_DATASET_HELP, text=True),
    results_dir: Path = _RESULTS,
    replace: bool = typer.Option(False, "--replace", help="Overwrite an entry of this name."),
) -> None:
    """Score PREDICTIONS against the gold of the protocol and store the entry.

    The predictions are read and validated as `kotechnews score` reads them (every error named
    by file and line) and scored with 1,000 bootstrap resamples; the entry records the gold
    fingerprint and the dataset version. The scorer cannot check how the predictions were made:
    by choosing the protocol you state that no prediction comes from a model trained on its
    document (test split) or on its document's fold (cross-validation).
    """
    from kotechnews.leaderboard.submissions import add_submission
    from kotechnews.scoring.report import print_result

    console = Console(stderr=True)
    with console.status("scoring") as status:
        path, result = add_submission(
            predictions,
            name=name,
            protocol=PROTOCOLS[protocol.value],
            url=url,
            revision=revision,
            dataset=dataset,
            results_dir=results_dir,
            replace=replace,
            progress=lambda message: status.update(escape(message)),
            layout=layout_of(ctx),
        )
    print_result(result, Console())
    Console().print(f"stored {path}", markup=False, highlight=False)


@leaderboard_app.command("render")
def render_command(
    ctx: typer.Context,
    out: Path = project_path(
        "leaderboard", "--out", help="Directory for LEADERBOARD.md and index.html."
    ),
    results_dir: Path = _RESULTS,
    baselines_dir: Path = project_path(
        "baseline_results", "--baselines-dir", help="Baseline results"
    ),
    dataset: str = project_path(
        "dataset",
        "--dataset",
        help="Dataset the board names and whose gold fingerprints it "
        "ranks on: a folder or a Hub repo id (default: this "
        "project's dataset/).",
        text=True,
    ),
) -> None:
    """Render LEADERBOARD.md and index.html: one table per protocol and task."""
    from kotechnews.leaderboard.rendering import render

    layout = layout_of(ctx)
    console = Console(stderr=True)
    with console.status("rendering") as status:
        paths = render(
            out,
            results_dir,
            baselines_dir,
            dataset,
            progress=lambda message: status.update(escape(message)),
            layout=layout,
        )
    for path in paths:
        Console().print(f"wrote {layout.shown(path)}", markup=False, highlight=False)
