"""The `kotechnews` command line: thin wrappers over library functions.

Each command group lives next to the library module it wraps and is registered here. The root
group chooses the project (``--root``, KOTECHNEWS_ROOT or the working directory, see
``kotechnews.layout``); the commands take their default paths from it (``kotechnews.cli_paths``).
"""

from __future__ import annotations

from pathlib import Path

import click
import typer
import typer.core

from kotechnews import __version__
from kotechnews.annotation_cli import annotation_app, run_command, validate_command
from kotechnews.baselines import (
    label_studio,  # noqa: F401  # registers sklearn with `ls` (before its import)
)
from kotechnews.baselines.cli import baseline_app, predict_command
from kotechnews.errors import KoTechNewsError, report_line
from kotechnews.formats.cli import export_command
from kotechnews.hfdataset.cli import build_command, release_command
from kotechnews.ingest_cli import ingest_command
from kotechnews.labelstudio.cli import ls_app
from kotechnews.layout import ROOT_ENV, Layout
from kotechnews.leaderboard.cli import leaderboard_app
from kotechnews.quantity.cli import quantity_app
from kotechnews.scoring.cli import compare_command, score_command


class _Commands(typer.core.TyperGroup):
    """The one place errors become output: a KoTechNewsError raised by any command is reported
    on stderr and ends the process with its exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KoTechNewsError as exc:
            exc.report()
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:  # a file that cannot be read or written: the user can fix it
            report_line(exc)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Commands,
    help="KoTechNews: Korean tech-news information extraction benchmark.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"kotechnews {__version__}")
        raise typer.Exit()


@app.callback()
def options(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit"
    ),
    root: Path = typer.Option(
        None,
        "--root",
        envvar=ROOT_ENV,
        exists=True,
        file_okay=False,
        help="Project directory; default: the working directory's nearest ancestor holding "
        "annotation/GUIDELINES.md, else the working directory",
    ),
) -> None:
    """KoTechNews: Korean tech-news information extraction benchmark."""
    ctx.obj = Layout.discover(root)


# In the order of the pipeline: raw text, gold, dataset, models, scores.
app.command("run")(run_command)
app.command("ingest")(ingest_command)
app.add_typer(quantity_app, name="quantity")
app.add_typer(annotation_app, name="annotation")
app.command("validate")(validate_command)
app.add_typer(ls_app, name="ls")
app.command("build")(build_command)
app.command("release")(release_command)
app.command("export")(export_command)
app.add_typer(baseline_app, name="baseline")
app.command("predict")(predict_command)
app.command("score")(score_command)
app.command("compare")(compare_command)
app.add_typer(leaderboard_app, name="leaderboard")


def cli_command():
    """The click command behind ``kotechnews``."""
    return typer.main.get_command(app)


def main() -> None:
    cli_command()()


if __name__ == "__main__":
    main()
