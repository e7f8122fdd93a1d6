"""Atomic file and directory writes, JSON Lines helpers and a streaming reader of big JSON arrays.

Every output is written to a temporary file in the target directory and renamed into place,
so a failed run never leaves a half-written file or replaces a good one.
``iter_json_array`` reads a JSON array (a Label Studio export) item by item: memory holds one
chunk and one item, never the whole file. ``dumps_indented`` is ``json.dumps(indent=2)`` at the
speed of orjson, byte for byte, for a value read by ``loads_noting_floats``.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kotechnews.errors import KoTechNewsError


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


@contextmanager
def atomic_directory(target: str | os.PathLike) -> Iterator[Path]:
    """A new directory beside target to write into. When the block ends without an error it
    replaces target (two renames; if the second fails, the old target is put back); on an error
    it is removed and target is left as it was."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-new-"))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; outputs are meant to be shared
        yield staging
        previous = None
        if target.exists():
            previous = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-old-"))
            previous.rmdir()
            os.replace(target, previous)
        try:
            os.replace(staging, target)
        except BaseException:
            if previous is not None:
                os.replace(previous, target)
            raise
        if previous is not None:
            shutil.rmtree(previous)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


# JSON allows U+2028/U+2029 raw in strings, but str.splitlines() and JavaScript end a line there.
_LINE_SEPARATORS = re.compile("[\u2028\u2029]")


def dumps_line(obj: Any, default: Callable[[Any], Any] | None = None) -> str:
    """One JSON Lines line: no character that a line-based reader takes for a line break.
    ``default`` is json.dumps's: what to write for an object JSON has no type for."""
    line = json.dumps(obj, ensure_ascii=False, sort_keys=False, default=default)
    if "\u2028" not in line and "\u2029" not in line:  # the usual line: no regex pass over it
        return line
    return _LINE_SEPARATORS.sub(lambda found: f"\\u{ord(found.group()):04x}", line)


def write_jsonl(path: str | os.PathLike, rows: Iterable[Any]) -> None:
    atomic_write_text(path, "".join(dumps_line(row) + "\n" for row in rows))


def write_json(path: str | os.PathLike, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def loads_noting_floats(text: str) -> tuple[Any, bool]:
    """json.loads(text), and whether the value holds a float that orjson writes otherwise than
    json does: NaN and ±Infinity (orjson writes null) or a magnitude below 1e-4 but not 0
    (orjson writes 1e-5 where json writes 1e-05). The few float literals of a text are looked
    at as they are parsed; nothing else is scanned."""
    odd = False

    def read_float(literal: str) -> float:
        nonlocal odd
        number = float(literal)
        odd = odd or not math.isfinite(number) or (number != 0 and abs(number) < 1e-4)
        return number

    def read_constant(name: str) -> float:
        nonlocal odd
        odd = True
        return float(name)  # NaN, Infinity, -Infinity: what json.loads makes of them

    return json.JSONDecoder(parse_float=read_float, parse_constant=read_constant).decode(text), odd


def dumps_indented(obj: Any, odd_floats: bool) -> bytes:
    """UTF-8 bytes of ``json.dumps(obj, ensure_ascii=False, indent=2) + "\\n"``; odd_floats as
    ``loads_noting_floats`` tells it for the text obj was read from.

    The standard encoder indents in pure Python (milliseconds for one annotated task); orjson
    indents alike, in microseconds, unless obj holds odd floats or what orjson refuses
    (integers beyond 64 bits, lone surrogates): those go through json.dumps."""
    import orjson

    if not odd_floats:
        try:
            return orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
        except (orjson.JSONEncodeError, TypeError):
            pass
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # how surrogateescape reads a byte that is not UTF-8


class JsonlError(KoTechNewsError, ValueError):
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
        raise InvalidJSON(
            f"a number with more than {sys.get_int_max_str_digits()} digits", nesting=False
        ) from None


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


class JsonArrayError(KoTechNewsError, ValueError):
    """A JSON array file that cannot be read item by item; names the file, the item and the
    character offset."""


CHUNK_CHARS = 1 << 20
MAX_ITEM_CHARS = 256 << 20  # one item this big is refused rather than grown into memory
_WHITESPACE = " \t\n\r"
_AFTER_ITEM = ",]" + _WHITESPACE


def iter_json_array(
    path: str | os.PathLike, chunk_chars: int = CHUNK_CHARS, max_item_chars: int = MAX_ITEM_CHARS
) -> Iterator[tuple[Any, str]]:
    """Each item of the JSON array in path, with its JSON text, read chunk by chunk.

    json's own C scanner (``JSONDecoder.raw_decode``) parses each item, so an item reads exactly
    as json.loads would read it. An item cut by the end of a chunk fails to parse and is parsed
    again once the next chunk is in (the read doubles each time, so a large item costs linear
    time). Memory holds the unread part of one chunk and one item. A file that is not one
    complete array (truncated, invalid, anything after the closing bracket) raises
    JsonArrayError; UTF-8 decoding errors raise it too."""
    decode = json.JSONDecoder().raw_decode
    with open(path, encoding="utf-8") as handle:
        buffer, pos, offset, eof = "", 0, 0, False  # offset: characters dropped before buffer

        def where(index: int, at: int) -> str:
            return f"{path}: item {index} (character {offset + at})"

        def fill(at_least: int) -> bool:
            """Read more after buffer[pos:]; False at the end of the file."""
            nonlocal buffer, pos, offset, eof
            if eof:
                return False
            try:
                more = handle.read(max(chunk_chars, at_least))
            except UnicodeDecodeError as exc:
                raise JsonArrayError(
                    f"{path}: not UTF-8 near character {offset + len(buffer)}: {exc.reason}"
                ) from None
            buffer, offset, pos = buffer[pos:] + more, offset + pos, 0
            eof = not more
            return bool(more)

        def next_char(index: int) -> str:
            """The next character that is not whitespace, at buffer[pos]; '' at the end."""
            nonlocal pos
            while True:
                while pos < len(buffer) and buffer[pos] in _WHITESPACE:
                    pos += 1
                if pos < len(buffer):
                    return buffer[pos]
                if not fill(0):
                    return ""

        if next_char(0) != "[":
            raise JsonArrayError(f"{where(0, pos)}: not a JSON array (expected '[')")
        pos += 1
        index = 0
        while True:
            found = next_char(index)
            if index == 0 and found == "]":
                break
            if index > 0:
                if found == "]":
                    break
                if found != ",":
                    raise JsonArrayError(
                        f"{where(index, pos)}: expected ',' or ']' after item "
                        f"{index - 1}, got {found!r}"
                        if found
                        else f"{where(index, pos)}: the file ends inside the array (truncated)"
                    )
                pos += 1
                found = next_char(index)
            if not found:
                raise JsonArrayError(
                    f"{where(index, pos)}: the file ends inside the array (truncated)"
                )
            while True:
                try:
                    item, end = decode(buffer, pos)
                except json.JSONDecodeError as exc:
                    failure: tuple[str, int] | None = (f"invalid JSON: {exc.msg}", offset + exc.pos)
                except RecursionError:
                    raise JsonArrayError(
                        f"{where(index, pos)}: invalid JSON: nested too deeply"
                    ) from None
                except ValueError:  # an integer literal over sys.get_int_max_str_digits()
                    raise JsonArrayError(
                        f"{where(index, pos)}: invalid JSON: a number with "
                        f"more than {sys.get_int_max_str_digits()} digits"
                    ) from None
                else:
                    # An item is followed by ',', ']' or whitespace; anything else may be the
                    # rest of a number cut by the chunk (1 | e5): read on before taking it.
                    if eof or (end < len(buffer) and buffer[end] in _AFTER_ITEM):
                        break
                    failure = None
                if eof:
                    message, at = failure
                    truncated = at >= offset + len(buffer) or message.startswith(
                        "invalid JSON: Unterminated"
                    )
                    raise JsonArrayError(
                        f"{path}: item {index} (character {at}): {message}"
                        + (" (the file is truncated)" if truncated else "")
                    )
                if len(buffer) - pos > max_item_chars:
                    raise JsonArrayError(
                        f"{where(index, pos)}: an item longer than {max_item_chars} characters"
                    )
                fill(len(buffer) - pos)
            yield item, buffer[pos:end]
            pos = end
            index += 1
        pos += 1
        if next_char(index) != "":
            raise JsonArrayError(f"{where(index, pos)}: data after the end of the array")
