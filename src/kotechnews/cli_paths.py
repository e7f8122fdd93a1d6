"""Command-line options whose defaults are project paths of the `Layout` of ``kotechnews --root``.

The root group puts the layout into its context; an option left out gets the layout's path after
parsing, so ``--root`` and KOTECHNEWS_ROOT apply to every default, and ``--help`` shows the
default relative to the project (``annotation/gold``), never a path of this machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import typer

from kotechnews.layout import RELATIVE, Layout


def layout_of(ctx: click.Context) -> Layout:
    """The layout chosen by the root group (discovered when a command runs without it)."""
    return ctx.find_object(Layout) or Layout.discover()


def project_path(name: str, *param_decls: str, help: str, text: bool = False) -> Any:
    """An option defaulting to the layout's path ``name`` (as a string with ``text``, for
    options that also take a Hub repo id)."""

    def default(ctx: typer.Context, value: Any) -> Any:
        if value is not None:
            return value
        path: Path = getattr(layout_of(ctx), name)
        return str(path) if text else path

    return typer.Option(
        None, *param_decls, help=help, show_default=str(getattr(RELATIVE, name)), callback=default
    )
