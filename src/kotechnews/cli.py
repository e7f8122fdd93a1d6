"""The `kotechnews` command line: thin wrappers over library functions.

Each command group lives next to the library module it wraps and is registered here.
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
from kotechnews.gold import PROJECT_ROOT
from kotechnews.hfdataset.cli import build_command, release_command
from kotechnews.ingest_cli import ingest_command
from kotechnews.labelstudio.cli import ls_app
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
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit"
    ),
) -> None:
    """KoTechNews: Korean tech-news information extraction benchmark."""


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


def _relative_defaults(command) -> None:
    """Show path defaults inside the project relative to it (annotation/gold, not /home/...)."""
    for sub in getattr(command, "commands", {}).values():
        _relative_defaults(sub)
    for param in command.params:
        default = param.default
        if (
            isinstance(default, (str, Path))
            and Path(default).is_absolute()
            and Path(default).is_relative_to(PROJECT_ROOT)
        ):
            param.show_default = str(Path(default).relative_to(PROJECT_ROOT))


def cli_command():
    """The click command behind ``kotechnews``, with project-relative defaults in its help."""
    command = typer.main.get_command(app)
    _relative_defaults(command)
    return command


def main() -> None:
    cli_command()()


if __name__ == "__main__":
    main()
