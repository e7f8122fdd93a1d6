"""Atomic file writes and JSON Lines helpers.

Every output is written to a temporary file in the target directory and renamed into place,
so a failed run never leaves a half-written file or replaces a good one.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are meant to be shared
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


# JSON allows U+2028/U+2029 raw in strings, but str.splitlines() and JavaScript end a line there.
_LINE_SEPARATORS = re.compile("[\u2028\u2029]")


def dumps_line(obj: Any) -> str:
    """One JSON Lines line: no character that a line-based reader takes for a line break."""
    line = json.dumps(obj, ensure_ascii=False, sort_keys=False)
    return _LINE_SEPARATORS.sub(lambda found: f"\\u{ord(found.group()):04x}", line)


def write_jsonl(path: str | os.PathLike, rows: Iterable[Any]) -> None:
    atomic_write_text(path, "".join(dumps_line(row) + "\n" for row in rows))


def write_json(path: str | os.PathLike, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # how surrogateescape reads a byte that is not UTF-8


class JsonlError(ValueError):
    """A line of a JSON Lines file that is not valid JSON; names file and line."""


class InvalidJSON(ValueError):
    """JSON that json.loads can read only by crashing: nesting deeper than the parser's recursion
    (``nesting`` is True) or an integer longer than Python converts."""

    def __init__(self, message: str, nesting: bool):
        super().__init__(message)
        self.nesting = nesting


def loads(text: str) -> Any:
    """json.loads for untrusted input: a syntax error stays a json.JSONDecodeError, the ways it
    crashes become InvalidJSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise InvalidJSON("nested too deeply", nesting=True) from None
    except ValueError:  # an integer literal over sys.get_int_max_str_digits()
        raise InvalidJSON(f"a number with more than {sys.get_int_max_str_digits()} digits",
                          nesting=False) from None


def read_jsonl(path: str | os.PathLike) -> Iterator[dict[str, Any]]:
    # surrogateescape: a bad byte is reported with its line number instead of failing the read
    with open(path, encoding="utf-8", errors="surrogateescape") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            bad = _ESCAPED_BYTE.search(line)
            if bad:
                raise JsonlError(
                    f"{path}: line {number}: not UTF-8 (byte 0x{ord(bad.group()) - 0xDC00:02x} at column {bad.start()})"
                )
            try:
                yield loads(line)
            except json.JSONDecodeError as exc:
                raise JsonlError(f"{path}: line {number}: invalid JSON: {exc.msg}") from exc
            except InvalidJSON as exc:
                raise JsonlError(f"{path}: line {number}: invalid JSON: {exc}") from None
