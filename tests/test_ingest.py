"""Ingesting the raw corpus (five seed scrapes, 43 Wikinews articles): every raw character
accounted for, no furniture or wiki markup survives."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kotechnews.cli import app
from kotechnews.ingest import REASONS, IngestError, ingest_directory, load_metadata
from kotechnews.jsonio import read_jsonl, write_jsonl

RAW_DIR = Path(__file__).resolve().parents[1] / "annotation" / "raw"
RAW_FILES = sorted(RAW_DIR.glob("*.txt"))
SEEDS = [path for path in RAW_FILES if not path.name.startswith("wikinews_")]
WIKINEWS = [path for path in RAW_FILES if path.name.startswith("wikinews_")]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    out = tmp_path_factory.mktemp("ingested")
    ingest_directory(RAW_DIR, out)
    documents = {row["source_file"]: row for row in read_jsonl(out / "documents.jsonl")}
    removed = list(read_jsonl(out / "removed.jsonl"))
    return out, documents, removed


def paragraph_texts(document):
    return [document["text"][p["start"] : p["end"]] for p in document["paragraphs"]]


def test_every_raw_file_is_one_document_sorted_with_content_ids(ingested):
    out, documents, _ = ingested
    rows = list(read_jsonl(out / "documents.jsonl"))
    assert (len(SEEDS), len(WIKINEWS)) == (5, 43)
    assert [row["source_file"] for row in rows] == [path.name for path in RAW_FILES]
    for path in RAW_FILES:
        expected = "ktn-" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        assert documents[path.name]["id"] == expected
    assert len({row["id"] for row in rows}) == len(RAW_FILES)
    assert Counter(row["source"] for row in rows) == {"seed_scrape": 5, "wikinews": 43}


def test_every_raw_line_is_text_or_removed_character_for_character(ingested):
    """Cut the removed fragments out of each raw line: what is left is the next paragraph."""
    _, documents, removed = ingested
    by_line = {}
    for row in removed:
        by_line.setdefault((row["source_file"], row["line"]), []).append(row)
    for path in RAW_FILES:
        document = documents[path.name]
        paragraphs = iter(paragraph_texts(document))
        lines = unicodedata.normalize("NFC", path.read_text(encoding="utf-8")).split("\n")
        for number, line in enumerate(lines, start=1):
            left, position = [], 0
            for row in sorted(by_line.pop((path.name, number), []), key=lambda r: r["column"]):
                assert row["column"] >= position, f"{path.name}:{number}: overlapping removals"
                assert line[row["column"] : row["column"] + len(row["text"])] == row["text"]
                left.append(line[position : row["column"]])
                position = row["column"] + len(row["text"])
            kept = "".join(left + [line[position:]]).strip()
            if kept:
                assert kept == next(paragraphs), f"{path.name}:{number}"
        assert next(paragraphs, None) is None, f"{path.name}: paragraph not from any raw line"
    assert not by_line, f"removed rows pointing past the raw files: {list(by_line)}"


def test_headline_rows_are_the_document_titles(ingested):
    _, documents, removed = ingested
    for row in removed:
        if row["reason"] == "headline":
            assert row["text"].strip() == documents[row["source_file"]]["title"]
    titled = {name for name, doc in documents.items() if doc["title"] is not None}
    assert titled == {row["source_file"] for row in removed if row["reason"] == "headline"}


FURNITURE = [
    "℃",
    "기상청",
    "증권정보",
    "close",
    "현재가",
    "이미지 확대보기",
    "사진=",
    "@",
    "©",
    "무단전재",
    "재배포",
    "【",
    "】",
    "관련기사",
    "더보기",
    "배너",
    "닫기",
    "뉴스프리존]",
    " date ",
]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_no_page_furniture_survives_and_no_paragraph_repeats(ingested, path):
    _, documents, _ = ingested
    document = documents[path.name]
    for marker in FURNITURE:
        assert marker not in document["text"], marker
    paragraphs = paragraph_texts(document)
    assert all(p not in {"0", "공유", document["outlet"]} for p in paragraphs)
    assert len(set(paragraphs)) == len(paragraphs)
    if document["title"]:
        assert document["title"] not in paragraphs
    if document["byline"]:
        assert document["byline"] not in document["text"]


@pytest.mark.parametrize("path", WIKINEWS, ids=lambda p: p.name[:12])
def test_wikinews_text_is_the_body_without_wiki_markup(ingested, path):
    """Title line, blank line, body: the text is the body's lines without markup, trimmed."""
    _, documents, removed = ingested
    document = documents[path.name]
    title, blank, *body = path.read_text(encoding="utf-8").split("\n")
    assert (document["title"], blank) == (title, "")
    for marker in ("[[", "]]", "분류:"):
        assert marker not in document["text"]
    assert not re.search(r"\[\d{1,3}\]", document["text"])
    assert all(line == line.strip() for line in document["text"].split("\n"))
    dropped = {row["reason"] for row in removed if row["source_file"] == path.name}
    assert dropped <= {"headline", "wiki_markup", "footnote_marker"}
    assert document["url"].startswith("https://ko.wikinews.org/wiki/")
    assert document["license"] == "CC BY 2.5"


def test_removed_reasons_per_seed(ingested):
    _, _, removed = ingested
    counts = {path.name[:3]: Counter() for path in SEEDS}
    for row in removed:
        assert row["reason"] in REASONS
        if row["source_file"][:3] in counts:
            counts[row["source_file"][:3]][row["reason"]] += 1
    assert counts["000"] == Counter(
        ui_text=3,
        masthead=1,
        headline=1,
        headline_duplicate=1,
        photo_caption=1,
        photo_caption_duplicate=1,
        byline=1,
    )
    assert counts["001"] == Counter(
        page_date_widget=1,
        weather_widget=17,
        headline=1,
        subheadline=2,
        byline=2,
        related_articles=3,
        ui_text=4,
    )
    assert counts["002"] == Counter(duplicated_paragraph=9, copyright=1)
    assert counts["003"] == Counter(byline=1)
    assert counts["004"] == Counter(scraper_field=1, byline=2, stock_quote_widget=1)


def test_004_stock_widget_removed_without_losing_a_word(ingested):
    _, documents, removed = ingested
    document = documents["004_c7212bd7994cf695.txt"]
    assert paragraph_texts(document)[:4] == [
        '"곧 ‘하이퍼스케일(Hyperscale·초거대) 인공지능(AI)’ 기술을 확보한 회사와 확보하지 못한 회사로 나뉠 것이다."',
        "국내 ICT 대기업들이 ‘꿈의 AI’로 불리는 하이퍼스케일AI 개발에 경쟁적으로 뛰어들고 있다. "
        "네이버가 서울대와 손잡은 데 이어 KT는 카이스트(KAIST)와 차세대 AI 모델 개발에 나섰다.",
        "현존하는 최고 AI 기술인 ‘GPT-3’로 대표되는 하이퍼스케일 AI는 KT·네이버 등이 글로벌 플랫폼으로 "
        "도약하기 위해 반드시 확보해야 하는 핵심 기술로 꼽힌다. 인간처럼 생각하고 판단하는 하이퍼스케일AI "
        "기술 확보 없이는 한국 AI의 미래가 글로벌 테크공룡에 종속될 것이란 위기감도 이들 기업의 움직임을 "
        "빠르게 이끈 배경이 됐다.",
        "◇KT, 연내 KAIST와 AI 연구소 설립",
    ]
    sentences = [document["text"][s["start"] : s["end"]] for s in document["sentences"]]
    assert (
        "24일 KT에 따르면 KAIST와 공동 설립하는 ‘AI·SW 기술 연구소’는 연내 KT가 보유한 "
        "대덕2연구센터에 마련된다." in sentences
    )
    (widget,) = [row for row in removed if row["reason"] == "stock_quote_widget"]
    assert widget["text"].startswith(" KT 030200 | 코스피 증권정보")
    assert widget["text"].endswith("close ")


def test_001_header_decisions(ingested):
    _, documents, removed = ingested
    document = documents["001_8303be6b3e8d8116.txt"]
    assert document["title"] == "KT-KAIST, 포스트 AI 시대 이끌 'AI·SW 기술 연구소' 공동 설립"
    assert document["date"] is None and "2024.04.24" in document["date_note"]
    assert document["text"].startswith("KT와 KAIST가 혁신적인 AI 기술 개발을 위해 손을 잡고")
    subheads = [
        row["line"]
        for row in removed
        if row["source_file"] == document["source_file"] and row["reason"] == "subheadline"
    ]
    assert subheads == [23, 24]


def test_000_caption_dropped_with_its_duplicate(ingested):
    _, documents, removed = ingested
    rows = [row for row in removed if row["source_file"].startswith("000")]
    captions = [(row["line"], row["reason"]) for row in rows if "photo_caption" in row["reason"]]
    assert captions == [(12, "photo_caption"), (13, "photo_caption_duplicate")]
    assert "기념사진" not in documents["000_441a5aeb3e9e5c79.txt"]["text"]


def test_002_repeated_block_dropped_but_unrepeated_paragraph_kept(ingested):
    _, documents, removed = ingested
    lines = [
        row["line"]
        for row in removed
        if row["source_file"].startswith("002") and row["reason"] == "duplicated_paragraph"
    ]
    assert lines == list(range(12, 21))
    # Raw line 5 appears once and stays.
    assert "업계에 따르면 구글, 마이크로소프트" in documents["002_9468eea0c57a3375.txt"]["text"]


@pytest.mark.parametrize("path", RAW_FILES, ids=lambda p: p.name[:12])
def test_paragraph_and_sentence_offsets(ingested, path):
    _, documents, _ = ingested
    document = documents[path.name]
    text = document["text"]
    assert unicodedata.is_normalized("NFC", text)
    assert "\n".join(paragraph_texts(document)) == text
    sentences = iter(document["sentences"])
    for paragraph in document["paragraphs"]:
        position = paragraph["start"]
        for sentence in sentences:
            assert paragraph["start"] <= sentence["start"] < sentence["end"] <= paragraph["end"]
            assert text[position : sentence["start"]].strip() == ""
            position = sentence["end"]
            if position == paragraph["end"]:
                break
        assert position == paragraph["end"]
    assert next(sentences, None) is None
    assert document["cleaning_version"]


def test_metadata_copied_to_documents(ingested):
    _, documents, _ = ingested
    metadata = load_metadata(RAW_DIR / "metadata.jsonl")
    for name, document in documents.items():
        row = metadata[name]
        assert (
            document["outlet"],
            document["date"],
            document["date_note"],
            document["title"],
            document["byline"],
            document["url"],
            document["license"],
            document["source"],
        ) == (
            row.outlet,
            row.date,
            row.date_note,
            row.title,
            row.byline,
            row.url,
            row.license,
            row.source,
        )


# --- bad input --------------------------------------------------------------------------------

SEED = "004_c7212bd7994cf695.txt"


@pytest.fixture
def one_seed(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW_DIR / SEED, raw / SEED)
    row = next(r for r in read_jsonl(RAW_DIR / "metadata.jsonl") if r["source_file"] == SEED)
    return raw, row


def ingest_with(raw, rows, tmp_path):
    write_jsonl(raw / "metadata.jsonl", rows)
    return ingest_directory(raw, tmp_path / "out")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outlet": None}, "record 1 (source_file '004_c7212bd7994cf695.txt'): field 'outlet'"),
        ({"date": "2021-13"}, "field 'date': '2021-13' is not a real date"),
        ({"date": "May 2021"}, "field 'date': 'May 2021' is not YYYY"),
        ({"date": "2021-05-25"}, "field 'date': '2021-05-25' is not stated in the raw file"),
        ({"date": None, "date_note": None}, "field 'date_note' is required"),
        ({"title": "KT, 연내 KAIST와 AI 연구소 설립"}, "field 'title'"),
        ({"byline": "홍길동 기자"}, "field 'byline': '홍길동 기자' does not occur"),
        ({"outlet": "연합뉴스"}, "field 'outlet': '연합뉴스' does not occur"),
        ({"homepage": "https://example.com"}, "unknown field 'homepage'"),
        ({"source": "blog"}, "field 'source' must be one of seed_scrape, wikinews"),
        ({"license": None}, "field 'license' must be a non-empty string"),
        ({"source_file": "raw/004.txt"}, "field 'source_file' must be a file name"),
    ],
)
def test_malformed_metadata_names_file_record_and_field(one_seed, tmp_path, change, message):
    raw, row = one_seed
    with pytest.raises(IngestError) as error:
        ingest_with(raw, [{**row, **change}], tmp_path)
    assert str(raw / "metadata.jsonl") in str(error.value)
    assert message in str(error.value)


def test_missing_field_and_duplicate_row(one_seed, tmp_path):
    raw, row = one_seed
    without = {k: v for k, v in row.items() if k not in ("byline", "license")}
    with pytest.raises(IngestError, match="missing field\\(s\\) 'byline', 'license'"):
        ingest_with(raw, [without], tmp_path)
    with pytest.raises(IngestError, match="record 2 .*duplicate row"):
        ingest_with(raw, [row, row], tmp_path)


def test_raw_file_without_metadata_row_is_named(one_seed, tmp_path):
    raw, row = one_seed
    shutil.copy(RAW_DIR / SEEDS[0].name, raw / SEEDS[0].name)
    with pytest.raises(IngestError) as error:
        ingest_with(raw, [row], tmp_path)
    assert f"{raw / SEEDS[0].name}: no row in" in str(error.value)
    assert "'source_file'" in str(error.value)


def test_metadata_row_without_raw_file_is_named(one_seed, tmp_path):
    raw, row = one_seed
    with pytest.raises(IngestError, match="'999_missing.txt' has no raw file"):
        ingest_with(raw, [row, {**row, "source_file": "999_missing.txt"}], tmp_path)


def test_non_utf8_raw_file_is_named(one_seed, tmp_path):
    raw, row = one_seed
    (raw / SEED).write_bytes("가나다".encode("euc-kr"))
    with pytest.raises(IngestError, match=f"{SEED}.*: not UTF-8 text"):
        ingest_with(raw, [row], tmp_path)


def test_id_does_not_depend_on_metadata_or_cleaning(one_seed, tmp_path):
    raw, row = one_seed
    first = ingest_with(raw, [row], tmp_path)[0].row()
    second = ingest_with(raw, [{**row, "byline": None, "date": None}], tmp_path)[0].row()
    assert (
        first["id"]
        == second["id"]
        == "ktn-" + hashlib.sha256((raw / SEED).read_bytes()).hexdigest()[:16]
    )


def test_cli_ingests_and_reports_bad_input_without_traceback(one_seed, tmp_path):
    raw, row = one_seed
    write_jsonl(raw / "metadata.jsonl", [row])
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(raw), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "stock_quote_widget 1" in result.output
    assert (
        json.loads((tmp_path / "out" / "documents.jsonl").read_text().splitlines()[0])[
            "source_file"
        ]
        == SEED
    )

    write_jsonl(raw / "metadata.jsonl", [{**row, "date": "2021-02-30"}])
    result = runner.invoke(app, ["ingest", str(raw), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "field 'date'" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
