"""The `kotechnews` command line: thin wrappers over library functions.

Each command group lives next to the library module it wraps and is registered here.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    help="KoTechNews: Korean tech-news information extraction benchmark.",
    no_args_is_help=True,
    add_completion=False,
)

# Command registrations (one line each; keep this list flat).
from kotechnews.annotation_cli import annotation_app, run_command, validate_command  # noqa: E402

app.command("run")(run_command)
app.command("validate")(validate_command)
app.add_typer(annotation_app, name="annotation")
from kotechnews.ingest import ingest_command  # noqa: E402
app.command("ingest")(ingest_command)
from kotechnews.scoring.cli import compare_command, score_command  # noqa: E402
from kotechnews.leaderboard import leaderboard_app  # noqa: E402
app.command("score")(score_command)
app.command("compare")(compare_command)
app.add_typer(leaderboard_app, name="leaderboard")
from kotechnews.quantity.cli import quantity_app  # noqa: E402
app.add_typer(quantity_app, name="quantity")
from kotechnews.baselines.cli import baseline_app  # noqa: E402
app.add_typer(baseline_app, name="baseline")

from kotechnews.hfdataset.cli import build_command, release_command  # noqa: E402
app.command("build")(build_command)
app.command("release")(release_command)
from kotechnews.labelstudio.cli import ls_app  # noqa: E402
app.add_typer(ls_app, name="ls")


if __name__ == "__main__":
    app()
