"""The one base class of the errors a user can act on (bad input, a step that cannot go on).

The command line maps them to output in one place (``kotechnews.cli``): ``report`` prints the
error to stderr and the process exits with ``exit_code``, never with a traceback. Each error
still derives from the built-in class it always had (ValueError, RuntimeError), so callers that
catch those keep working.
"""

from __future__ import annotations

import click


def report_line(error: BaseException) -> None:
    """One ``error:`` line on stderr (click, not rich: a long path is not wrapped)."""
    click.echo(f"error: {error}", err=True)


class KoTechNewsError(Exception):
    exit_code = 1

    def report(self) -> None:
        report_line(self)
