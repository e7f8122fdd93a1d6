"""Fuzzing `kotechnews ingest`: random raw directories and metadata, through the CLI in-process.

Either a one-line `error:` naming the file (and record/field), or documents whose every line is
JSON, whose text holds no control character but \\n and \\t, whose offsets fit, and where every raw
line is kept text plus removed pieces. Never a traceback, never a hang.
"""

from __future__ import annotations

import json
import tempfile
import time
import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from fuzzing import fuzz_settings
from kotechnews.cleaning import without_control_characters
from kotechnews.cli import app
from kotechnews.ingest import METADATA_FIELDS
from kotechnews.segment import split_sentences, tokenize_morphemes

NAMES = ["a.txt", "b.txt", "기사.txt"]
WORDS = [
    "인공지능",
    "반도체",
    "KT",
    "투자",
    "늘었다.",
    "밝혔다.",
    "닫기",
    "0",
    "관련기사",
    "2024.04.24 (수)",
    "사진=예시",
    "이미지 확대보기",
    "홍길동 기자",
    "hong@example.com",
    "[1]",
    "[[분류:과학]]",
    "ⓒ 예시일보",
    "예시 123456 | 코스피 증권정보 현재가 1,000 close",
    "예시일보",
    "【 예시일보 】",
    "◇소제목",
]
CONTROLS = [
    "\x00",
    "\x01",
    "\x1b",
    "\x7f",
    "\x85",
    "\x0b",
    "\x0c",
    "\r",
    "\t",
    "\u2028",
    "\u2029",
    "\ufeff",
]
HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
URL = "https://example.org/article"

words = st.one_of(
    st.sampled_from(WORDS),
    st.text(HANGUL, min_size=1, max_size=6),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=6),
)
line = st.lists(st.one_of(words, words, st.sampled_from(CONTROLS)), min_size=1, max_size=12).map(
    " ".join
)
long_line = st.tuples(words, st.integers(1000, 6000)).map(lambda pair: (pair[0] + " ") * pair[1])


def rarely(draw, n: int) -> bool:
    """True once in ``n`` draws; the simplest draw (what hypothesis favours and shrinks to) is False."""
    return draw(st.integers(0, n - 1)) == n - 1


@st.composite
def article_text(draw) -> str:
    lines = draw(st.lists(st.one_of(line, line, line, st.just("")), min_size=1, max_size=12))
    if draw(st.booleans()):  # repeated and near-repeated paragraphs
        lines += [
            text + draw(st.sampled_from(["", ".", " 다."])) for text in draw(st.permutations(lines))
        ]
    if rarely(draw, 10):
        lines.insert(draw(st.integers(0, len(lines))), draw(long_line))
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


@st.composite
def raw_file(draw) -> tuple[bytes, str]:
    """The bytes of a raw file and the --encoding that reads them."""
    kind = draw(st.sampled_from(["utf-8"] * 12 + ["cp949", "cp949", "bytes", "broken"]))
    text = draw(article_text())
    if kind == "cp949":
        encodable = "".join(c for c in text if ord(c) < 0x80 or "가" <= c <= "힣")
        return encodable.encode("cp949"), draw(
            st.sampled_from(["cp949", "cp949", "cp949", "utf-8"])
        )
    if kind == "bytes":
        return draw(st.binary(max_size=300)), "utf-8"
    data = text.encode("utf-8")
    if kind == "broken":  # invalid UTF-8 somewhere
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80"]))
            + data[at:]
        )
    return data, "utf-8"


WRONG_VALUES = st.one_of(
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.text(max_size=8),
    st.sampled_from(["", " ", "\x00", "\ud800", "2021-13-40"]),
)


@st.composite
def metadata_row(draw, name: str, text: str) -> dict:
    """A row that can pass for ``text`` (url set: outlet and date need not occur), then perhaps spoilt."""
    first = next(
        (" ".join(ln.split()) for ln in without_control_characters(text).split("\n") if ln.strip()),
        None,
    )
    row = {
        "source_file": name,
        "outlet": "예시일보",
        "date": "2024-04-24",
        "date_note": None,
        "title": draw(st.sampled_from([None, None, first])),
        "byline": None,
        "url": URL,
        "license": "CC BY 2.5",
        "source": "wikinews",
    }
    for _ in range(draw(st.integers(1, 2)) if rarely(draw, 5) else 0):
        change = draw(st.sampled_from(["wrong", "missing", "unknown"]))
        field = draw(st.sampled_from(METADATA_FIELDS))
        if change == "wrong":
            row[field] = draw(WRONG_VALUES)
        elif change == "missing":
            row.pop(field, None)
        else:
            row[draw(st.sampled_from(["homepage", "", "Title", "x" * 50]))] = draw(WRONG_VALUES)
    return row


@st.composite
def metadata_file(draw, rows: list[dict]) -> bytes:
    lines = [
        json.dumps(row, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
        for row in rows
    ]
    spoil = draw(
        st.sampled_from(
            ["none"] * 24 + ["nested", "array", "garbage", "bad utf-8", "blank lines", "scalar"]
        )
    )
    if spoil == "nested":
        depth = draw(st.integers(10, 50_000))
        lines.append(b'{"a": ' + b"[" * depth + b"]" * depth + b"}")
    elif spoil == "array":
        lines = [b"[" + b", ".join(lines) + b"]"]
    elif spoil == "garbage":
        lines.insert(
            draw(st.integers(0, len(lines))), draw(st.binary(max_size=30)).replace(b"\n", b"")
        )
    elif spoil == "bad utf-8":
        lines.append(b'{"source_file": "\xff"}')
    elif spoil == "blank lines":
        lines = [b"", *lines, b"  "]
    elif spoil == "scalar":
        lines.append(draw(st.sampled_from([b"1", b'"x"', b"null", b"9" * 5000])))
    return b"\n".join(lines) + b"\n"


@st.composite
def raw_directory(draw):
    names = NAMES[: draw(st.sampled_from([1, 1, 1, 2, 3]))]
    files = {name: draw(raw_file()) for name in names}
    if len(names) > 1 and rarely(draw, 10):  # two files with the same bytes
        files[names[1]] = files[names[0]]
    encoding = draw(st.sampled_from([encoding for _, encoding in files.values()]))
    texts = {name: data.decode(encoding, "replace") for name, (data, _) in files.items()}
    rows = [draw(metadata_row(name, texts[name])) for name in names]
    if rarely(draw, 20):
        rows = rows[1:] if draw(st.booleans()) else [*rows, dict(rows[0], source_file="orphan.txt")]
    directory_named_txt = rarely(draw, 20)
    return (
        {name: data for name, (data, _) in files.items()},
        draw(metadata_file(rows)),
        encoding,
        directory_named_txt,
    )


def decoded(data: bytes, encoding: str) -> str:
    return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)


def assert_nothing_lost(files: dict[str, bytes], encoding: str, out: Path) -> None:
    documents = [json.loads(row) for row in (out / "documents.jsonl").read_bytes().splitlines()]
    assert (
        len(documents)
        == len((out / "documents.jsonl").read_text(encoding="utf-8").splitlines())
        == len(files)
    )
    removed: dict[tuple[str, int], list[dict]] = {}
    for row in (out / "removed.jsonl").read_bytes().splitlines():
        row = json.loads(row)
        removed.setdefault((row["source_file"], row["line"]), []).append(row)
    for document in documents:
        text = document["text"]
        assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text)
        position = 0
        for paragraph in document["paragraphs"]:
            assert paragraph["start"] == position < paragraph["end"] <= len(text)
            position = paragraph["end"] + 1
        assert position == len(text) + 1
        for sentence in document["sentences"]:
            assert 0 <= sentence["start"] < sentence["end"] <= len(text)
            assert "\n" not in text[sentence["start"] : sentence["end"]]
        kept = iter(text[p["start"] : p["end"]] for p in document["paragraphs"])
        raw_lines = unicodedata.normalize(
            "NFC", decoded(files[document["source_file"]], encoding)
        ).split("\n")
        for number, raw_line in enumerate(raw_lines, start=1):
            left, at = [], 0
            for row in sorted(
                removed.pop((document["source_file"], number), []), key=lambda r: r["column"]
            ):
                assert (
                    row["column"] >= at
                    and raw_line[row["column"] : row["column"] + len(row["text"])] == row["text"]
                )
                left.append(raw_line[at : row["column"]])
                at = row["column"] + len(row["text"])
            rest = "".join([*left, raw_line[at:]]).strip()
            if rest:
                assert rest == next(kept), (document["source_file"], number)
        assert next(kept, None) is None
    assert not removed


@fuzz_settings
@given(raw_directory())
def test_ingest_fails_cleanly_or_loses_nothing(case):
    files, metadata, encoding, directory_named_txt = case
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "raw", Path(tmp) / "out"
        raw.mkdir()
        for name, data in files.items():
            (raw / name).write_bytes(data)
        (raw / "metadata.jsonl").write_bytes(metadata)
        if directory_named_txt:
            (raw / "x.txt").mkdir()
        size_mb = sum(map(len, files.values())) / 1e6
        # Kiwi loads its model on first use (a few seconds): not part of an example's time.
        split_sentences("준비했다. 끝.") and tokenize_morphemes("KT에")
        started = time.monotonic()
        result = CliRunner().invoke(
            app, ["ingest", str(raw), "--out", str(out), "--encoding", encoding]
        )
        assert time.monotonic() - started < 2 + 60 * size_mb, "ingest took too long"
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        assert "Traceback" not in result.output
        if result.exit_code == 0:
            assert_nothing_lost(files, encoding, out)
            return
        assert result.exit_code == 1
        lines = [ln for ln in result.output.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output
        assert str(raw) in lines[0]
        if ": record " in lines[0]:
            assert "field" in lines[0] or "expected a JSON object" in lines[0], lines[0]
