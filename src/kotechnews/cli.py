"""The `kotechnews` command line: thin wrappers over library functions.

Each command group lives next to the library module it wraps and is registered here.
"""

from __future__ import annotations

import typer

from kotechnews.annotation_cli import annotation_app, run_command, validate_command
from kotechnews.baselines.cli import baseline_app
from kotechnews.hfdataset.cli import build_command, release_command
from kotechnews.ingest import ingest_command
from kotechnews.labelstudio.cli import ls_app
from kotechnews.leaderboard import leaderboard_app
from kotechnews.quantity.cli import quantity_app
from kotechnews.scoring.cli import compare_command, score_command

app = typer.Typer(
    help="KoTechNews: Korean tech-news information extraction benchmark.",
    no_args_is_help=True,
    add_completion=False,
)

# In the order of the pipeline: raw text, gold, dataset, models, scores.
app.command("run")(run_command)
app.command("ingest")(ingest_command)
app.add_typer(quantity_app, name="quantity")
app.add_typer(annotation_app, name="annotation")
app.command("validate")(validate_command)
app.add_typer(ls_app, name="ls")
app.command("build")(build_command)
app.command("release")(release_command)
app.add_typer(baseline_app, name="baseline")
app.command("score")(score_command)
app.command("compare")(compare_command)
app.add_typer(leaderboard_app, name="leaderboard")


if __name__ == "__main__":
    app()
