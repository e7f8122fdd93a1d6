"""`kotechnews quantity parse|find`: JSON Lines in and out over stdin/stdout."""

from __future__ import annotations

import typer

from kotechnews.jsonio import dumps_line

quantity_app = typer.Typer(
    help="Read Korean numeric expressions (2000억 개, 약 200명, 수백억원).", no_args_is_help=True
)


def parse_line(raw: bytes, number: int) -> dict:
    """The reading of input line ``number``, or its text with the reason it cannot be read."""
    from kotechnews.quantity.normalise import NotAnAmountError, QuantityError, parse_quantity

    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return {
            "text": raw.decode("utf-8", errors="replace"),
            "error": f"stdin line {number}: not UTF-8 ({exc.reason})",
        }
    try:
        return parse_quantity(line).to_dict()
    except NotAnAmountError as exc:
        return {"text": line, "error": str(exc), "kind": exc.kind}
    except QuantityError as exc:
        return {"text": line, "error": str(exc)}


@quantity_app.command("parse")
def parse_command() -> None:
    """Read one expression per stdin line; write one JSON object per line (or an 'error' key, and a
    'kind' for numbers that are not amounts: date, ordinal, score, age band ...)."""
    lines = typer.get_binary_stream("stdin").read().splitlines()
    for number, raw in enumerate(lines, start=1):
        typer.echo(dumps_line(parse_line(raw, number)))


@quantity_app.command("find")
def find_command() -> None:
    """Read running text on stdin; write one JSON object per quantity found, with start/end."""
    from kotechnews.quantity.normalise import find_quantities

    data = typer.get_binary_stream("stdin").read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        typer.echo(f"stdin: not UTF-8 at byte {exc.start} ({exc.reason})", err=True)
        raise typer.Exit(2) from None
    for quantity in find_quantities(text):
        typer.echo(dumps_line(quantity.to_dict() | {"start": quantity.start, "end": quantity.end}))
