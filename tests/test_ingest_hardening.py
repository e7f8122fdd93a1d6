"""Ingest on hostile input: large articles in linear time, control characters, line separators,
duplicate files, CP949 scrapes, and one-line errors for every kind of bad input."""

from __future__ import annotations

import json
import os
import random
import shutil
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kotechnews import cleaning, segment
from kotechnews.cleaning import Piece, Reason, _KeptParagraphs, clean_article
from kotechnews.cli import app
from kotechnews.ingest import IngestError, document_id, ingest_directory
from kotechnews.jsonio import read_jsonl, write_jsonl
from kotechnews.segment import split_sentences
from test_ingest import RAW_DIR, SEED, one_seed  # noqa: F401 (one_seed is a fixture)

WORDS = (
    "기업 정부 인공지능 반도체 투자 발표 시장 기술 개발 연구 서비스 데이터 플랫폼 고객 매출".split()
)


def distinct_paragraphs(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(
            rng.choice(WORDS) + rng.choice("은는이가을를에") for _ in range(rng.randint(20, 40))
        )
        + f" {number}번째 문단이다."
        for number in range(count)
    ]


@pytest.fixture
def seed_dir(one_seed):  # noqa: F811 (the fixture imported above)
    """The seed and its metadata row, written as the directory's metadata.jsonl."""
    raw, row = one_seed
    write_jsonl(raw / "metadata.jsonl", [row])
    return raw, row


def invoke(*args):
    result = CliRunner().invoke(app, ["ingest", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def assert_one_line_error(result, *names):
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for name in names:
        assert str(name) in lines[0], (name, lines[0])
    return lines[0]


# --- 1. linear time -------------------------------------------------------------------------


def old_is_near_duplicate(key: str, earlier: list[str]) -> bool:
    """The full comparison the index replaces: every earlier kept paragraph through difflib."""
    if len(key) < 40:
        return False
    for other in earlier:
        if len(other) >= 40 and SequenceMatcher(None, key, other, autojunk=False).ratio() >= 0.97:
            return True
    return False


def test_distinct_paragraphs_are_compared_a_bounded_number_of_times(monkeypatch):
    """Was quadratic: every paragraph went through difflib with every earlier one (400 KB: 14 s).
    The number of difflib comparisons now grows with the paragraph count, not its square."""
    comparisons = 0

    class CountingMatcher(cleaning.SequenceMatcher):
        def __init__(self, *args, **kwargs):
            nonlocal comparisons
            comparisons += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(cleaning, "SequenceMatcher", CountingMatcher)
    paragraphs = distinct_paragraphs(2500)  # about 650 KB
    cleaned = clean_article("\n".join(paragraphs), title=None, outlet=None)
    assert cleaned.paragraphs == paragraphs
    assert comparisons <= len(paragraphs)


def edited(text: str, rng: random.Random, edits: int) -> str:
    chars = list(text)
    for _ in range(edits):
        at = rng.randrange(len(chars))
        operation = rng.choice("sid")
        if operation == "s":
            chars[at] = rng.choice("가나다라 .")
        elif operation == "i":
            chars.insert(at, rng.choice("가나다라 ."))
        elif len(chars) > 1:
            del chars[at]
    return "".join(chars)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32), st.integers(2, 25))
def test_near_duplicate_index_decides_as_the_full_comparison(seed, count):
    rng = random.Random(seed)
    keys: list[str] = []
    for _ in range(count):
        if keys and rng.random() < 0.6:
            keys.append(edited(rng.choice(keys), rng, rng.choice([0, 1, 2, 3, 5, 10])))
        else:
            keys.append("".join(rng.choice("가나다라마 .") for _ in range(rng.randint(30, 300))))
    kept, reference = _KeptParagraphs(), []
    for key in keys:
        expected = key in reference or old_is_near_duplicate(key, reference)
        assert kept.is_duplicate(key) == expected
        if not expected:
            kept.add(key)
            reference.append(key)


def test_near_duplicate_at_exactly_the_ratio_threshold():
    base = "".join(chr(0xAC00 + 37 * i) for i in range(100))
    copy = base[:20] + "X" + base[21:50] + "Y" + base[51:80] + "Z" + base[81:]
    assert SequenceMatcher(None, copy, base, autojunk=False).ratio() == 0.97
    kept = _KeptParagraphs()
    kept.add(base)
    assert kept.is_duplicate(copy)
    assert not kept.is_duplicate(copy[:-4] + "ABCD")


def test_many_widgets_on_one_line_read_only_the_next_word(monkeypatch):
    """Was quadratic: each widget handed the rest of the line to the word check."""
    read = 0
    attaches = cleaning._attaches

    def counting_attaches(name: str, following: str) -> bool:
        nonlocal read
        read += len(following)
        return attaches(name, following)

    monkeypatch.setattr(cleaning, "_attaches", counting_attaches)
    unit = "문장이 이어진다 예시 예시 123456 | 코스피 증권정보 현재가 1,000 close 에 따르면 늘었다[1]. "
    line = unit * 2000
    cleaned = clean_article(line, title=None, outlet=None)
    reasons = [piece.reason for piece in cleaned.pieces]
    assert reasons.count(Reason.STOCK_QUOTE_WIDGET) == reasons.count(Reason.FOOTNOTE_MARKER) == 2000
    assert (
        read <= 2000 * cleaning._ATTACH_WORD_CHARS
    )  # the old code: the rest of the line each time


def test_kiwi_never_gets_more_than_a_chunk_of_a_huge_line(monkeypatch):
    """Kiwi's sentence splitting is super-linear on a long line: it gets bounded chunks."""
    seen = []
    split = segment.kiwi().split_into_sents

    class Recording:
        def split_into_sents(self, text):
            seen.append(len(text))
            return split(text)

    monkeypatch.setattr(segment, "kiwi", Recording)
    text = "인공지능 반도체 투자가 늘었다고 회사는 밝혔다. " * 2000  # 52,000 characters, one line
    spans = split_sentences(text)
    assert max(seen) <= segment._KIWI_CHUNK and len(seen) > 1
    assert len(spans) == 2000
    assert all(
        text[start:end] == "인공지능 반도체 투자가 늘었다고 회사는 밝혔다." for start, end in spans
    )


def test_chunks_end_at_a_sentence_end_else_a_space_else_the_limit():
    limit = segment._KIWI_CHUNK
    text = "가" * (limit - 10) + "다. 나" + "라" * limit
    assert [offset for offset, _ in segment._chunks(text)] == [0, limit - 7, 2 * limit - 7]
    assert segment._chunks("가 " * limit)[0][1].endswith(" ")
    assert "".join(part for _, part in segment._chunks("가" * (3 * limit + 5))) == "가" * (
        3 * limit + 5
    )


# --- 2. control characters ------------------------------------------------------------------


def rebuilt_lines(cleaned):
    lines: dict[int, str] = {}
    for piece in cleaned.pieces:
        assert piece.column == len(lines.get(piece.line, ""))
        lines[piece.line] = lines.get(piece.line, "") + piece.text
    return lines


@pytest.mark.parametrize(
    "control", ["\x00", "\x1b", "\x7f", "\x85", "\x0b", "\x0c", "\x00\x01\r\x02"]
)
def test_control_characters_are_dropped_as_recorded_pieces(control):
    raw = f"첫 문단{control}이다.\n{control}\n둘째 문단이다.{control}끝{control}"
    cleaned = clean_article(raw, title=None, outlet=None)
    assert cleaned.paragraphs == ["첫 문단이다.", "둘째 문단이다.끝"]
    assert rebuilt_lines(cleaned) == dict(enumerate(raw.split("\n"), start=1))
    dropped = [
        (p.line, p.column, p.text) for p in cleaned.pieces if p.reason is Reason.CONTROL_CHARACTER
    ]
    assert dropped == [
        (1, 4, control),
        (2, 0, control),
        (3, 8, control),
        (3, 9 + len(control), control),
    ]


def test_crlf_and_tabs_read_as_before():
    lf = "첫 문단이다.\n\n둘째\t문단이다.\n"
    crlf = clean_article(lf.replace("\n", "\r\n"), title=None, outlet=None)
    assert (
        crlf.paragraphs
        == clean_article(lf, title=None, outlet=None).paragraphs
        == ["첫 문단이다.", "둘째\t문단이다."]
    )
    assert all(piece.reason is None for piece in crlf.pieces)
    lone = clean_article(
        "가\r나다.\r\n", title=None, outlet=None
    )  # a CR that ends no line is dropped
    assert lone.paragraphs == ["가나다."] and lone.pieces[1] == Piece(
        1, 1, "\r", Reason.CONTROL_CHARACTER
    )


def test_nul_in_a_raw_file_is_listed_in_removed_and_not_in_the_text(seed_dir, tmp_path):
    raw, _ = seed_dir
    (raw / SEED).write_bytes(
        (RAW_DIR / SEED).read_bytes().replace("KT".encode(), "K\x00T".encode(), 1)
    )
    article = ingest_directory(raw, tmp_path / "out")[0]
    assert "\x00" not in article.document.text
    rows = [
        row
        for row in read_jsonl(tmp_path / "out" / "removed.jsonl")
        if row["reason"] == "control_character"
    ]
    line = (raw / SEED).read_text(encoding="utf-8").split("\n")[rows[0]["line"] - 1]
    assert len(rows) == 1 and line[rows[0]["column"]] == "\x00"


# --- 3. line separators in JSON Lines -------------------------------------------------------


def test_jsonl_escapes_line_and_paragraph_separators(tmp_path):
    rows = [{"text": "앞\u2028뒤\u2029끝", "n": 1}, {"text": "\u2028", "n": 2}]
    write_jsonl(tmp_path / "rows.jsonl", rows)
    data = (tmp_path / "rows.jsonl").read_bytes()
    assert "\u2028".encode() not in data and b"\\u2028" in data and b"\\u2029" in data
    assert [json.loads(line) for line in data.splitlines()] == rows
    assert [json.loads(line) for line in data.decode("utf-8").splitlines()] == rows
    assert list(read_jsonl(tmp_path / "rows.jsonl")) == rows


def test_documents_with_separators_stay_one_line_each(seed_dir, tmp_path):
    raw, _ = seed_dir
    (raw / SEED).write_bytes(
        (RAW_DIR / SEED).read_bytes().replace("KT".encode(), "K\u2028T\u2029".encode())
    )
    ingest_directory(raw, tmp_path / "out")
    text = (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8")
    assert len(text.splitlines()) == 1 and "\u2028" in json.loads(text.splitlines()[0])["text"]


# --- 4. two files, one id -------------------------------------------------------------------


def test_two_raw_files_with_the_same_bytes_are_refused(seed_dir, tmp_path):
    raw, row = seed_dir
    shutil.copy(raw / SEED, raw / "copy.txt")
    write_jsonl(raw / "metadata.jsonl", [row, {**row, "source_file": "copy.txt"}])
    with pytest.raises(IngestError) as error:
        ingest_directory(raw, tmp_path / "out")
    message = str(error.value)
    assert str(raw / SEED) in message and str(raw / "copy.txt") in message
    assert document_id((raw / SEED).read_bytes()) in message


# --- 5. CP949 scrapes -----------------------------------------------------------------------


def test_cp949_scrape_is_named_and_read_with_encoding(seed_dir, tmp_path):
    raw, _ = seed_dir
    utf8 = ingest_directory(raw, tmp_path / "utf8")[0].row()
    (raw / SEED).write_bytes((RAW_DIR / SEED).read_text(encoding="utf-8").encode("cp949"))
    line = assert_one_line_error(invoke(raw, "--out", tmp_path / "out"), raw / SEED)
    assert "not UTF-8 text (bad byte at offset" in line
    assert "looks like CP949/EUC-KR; re-run with --encoding cp949" in line
    result = invoke(raw, "--out", tmp_path / "out", "--encoding", "cp949")
    assert result.exit_code == 0, result.output
    document = next(read_jsonl(tmp_path / "out" / "documents.jsonl"))
    assert document["text"] == utf8["text"] and document["sentences"] == utf8["sentences"]
    assert document["id"] == document_id((raw / SEED).read_bytes())
    assert_one_line_error(
        invoke(raw, "--out", tmp_path / "out", "--encoding", "klingon"), "klingon"
    )


def test_undecodable_bytes_in_the_given_encoding_are_named(seed_dir, tmp_path):
    raw, _ = seed_dir
    (raw / SEED).write_bytes("가나다".encode("cp949") + b"\xff\xff")
    line = assert_one_line_error(
        invoke(raw, "--out", tmp_path / "out", "--encoding", "cp949"), raw / SEED
    )
    assert "not cp949 text (bad byte at offset 6)" in line


# --- 6. one-line errors for every kind of bad input -----------------------------------------


def metadata_text(row, **change):
    return json.dumps({**row, **change}, ensure_ascii=False) + "\n"


BAD_INPUTS = {
    "empty raw file": (lambda raw, row: (raw / SEED).write_bytes(b""), [SEED, "empty"]),
    "whitespace raw file": (
        lambda raw, row: (raw / SEED).write_bytes(b" \n\t\r\n"),
        [SEED, "only whitespace"],
    ),
    "nested metadata": (
        lambda raw, row: (raw / "metadata.jsonl").write_text("[" * 100_000 + "]" * 100_000),
        ["metadata.jsonl", "line 1", "nested too deeply"],
    ),
    "huge integer": (
        lambda raw, row: (raw / "metadata.jsonl").write_text('{"date": ' + "9" * 5000 + "}"),
        ["metadata.jsonl", "line 1"],
    ),
    "lone surrogate": (
        lambda raw, row: (raw / "metadata.jsonl").write_text(
            json.dumps({**row, "byline": "기자\ud800"})
        ),
        ["metadata.jsonl", "record 1", "'byline'", "lone surrogate"],
    ),
    "control character in metadata": (
        lambda raw, row: (raw / "metadata.jsonl").write_text(metadata_text(row, title="제목\x00")),
        ["record 1", "'title'", "control character"],
    ),
    "line separator in metadata": (  # the validator refuses it in the task data the row becomes
        lambda raw, row: (raw / "metadata.jsonl").write_text(
            metadata_text(row, outlet="예시\u2028일보")
        ),
        ["record 1", "'outlet'", "line separator", "U+2028"],
    ),
    "invalid UTF-8 metadata": (
        lambda raw, row: (raw / "metadata.jsonl").write_bytes(
            b"\n" + metadata_text(row).encode()[:-3] + b'\xff"}\n'
        ),
        ["metadata.jsonl", "line 2", "not UTF-8"],
    ),
    "number value": (
        lambda raw, row: (raw / "metadata.jsonl").write_text(metadata_text(row, outlet=5)),
        ["record 1", "'outlet'", "got 5"],
    ),
    "list source_file": (
        lambda raw, row: (raw / "metadata.jsonl").write_text(
            metadata_text(row, source_file=[SEED])
        ),
        ["record 1", "'source_file'"],
    ),
    "object value": (
        lambda raw, row: (raw / "metadata.jsonl").write_text(metadata_text(row, byline={"a": 1})),
        ["record 1", "'byline'"],
    ),
    "metadata array": (
        lambda raw, row: (raw / "metadata.jsonl").write_text(json.dumps([row])),
        ["metadata.jsonl", "record 1", "expected a JSON object"],
    ),
    "metadata is a directory": (
        lambda raw, row: ((raw / "metadata.jsonl").unlink(), (raw / "metadata.jsonl").mkdir()),
        ["metadata.jsonl", "not a file"],
    ),
    "directory named x.txt": (
        lambda raw, row: (
            (raw / "x.txt").mkdir(),
            (raw / "metadata.jsonl").write_text(
                metadata_text(row) + metadata_text(row, source_file="x.txt")
            ),
        ),
        ["x.txt", "not a regular file"],
    ),
    "dangling symlink": (
        lambda raw, row: (
            (raw / "x.txt").symlink_to(raw / "nowhere"),
            (raw / "metadata.jsonl").write_text(
                metadata_text(row) + metadata_text(row, source_file="x.txt")
            ),
        ),
        ["x.txt", "not a regular file"],
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_one_error_line_naming_file_record_and_field(seed_dir, tmp_path, case):
    raw, row = seed_dir
    setup, names = BAD_INPUTS[case]
    setup(raw, row)
    assert_one_line_error(invoke(raw, "--out", tmp_path / "out"), *names)


def test_unreadable_raw_file_is_named(seed_dir, tmp_path, monkeypatch):
    raw, _ = seed_dir
    read_bytes = Path.read_bytes

    def refuse(path):
        if path.name == SEED:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    line = assert_one_line_error(invoke(raw, "--out", tmp_path / "out"), raw / SEED)
    assert "cannot read: Permission denied" in line


def test_unwritable_output_is_named(seed_dir, tmp_path):
    raw, _ = seed_dir
    (tmp_path / "out").write_text("a file, not a directory")
    assert_one_line_error(invoke(raw, "--out", tmp_path / "out"), tmp_path / "out", "cannot write")


def test_long_error_is_not_wrapped(seed_dir, tmp_path):
    raw, row = seed_dir
    (raw / "metadata.jsonl").write_text(metadata_text(row, byline="없는 사람 " * 30))
    assert_one_line_error(
        invoke(raw, "--out", tmp_path / "out"), "field 'byline'", "does not occur"
    )


def test_bom_is_ignored(seed_dir, tmp_path):
    raw, _ = seed_dir
    plain = ingest_directory(raw, tmp_path / "plain")[0].row()
    (raw / SEED).write_bytes(b"\xef\xbb\xbf" + (RAW_DIR / SEED).read_bytes())
    with_bom = ingest_directory(raw, tmp_path / "bom")[0].row()
    assert with_bom["text"] == plain["text"] and with_bom["id"] != plain["id"]
    assert os.path.getsize(tmp_path / "bom" / "removed.jsonl") == os.path.getsize(
        tmp_path / "plain" / "removed.jsonl"
    )
