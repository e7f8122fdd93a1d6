"""The cleaning rules generalise: invented scrapes from other outlets (tests/fixtures/scrapes)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kotechnews.cleaning import Reason, clean_article
from kotechnews.ingest import ingest_directory
from kotechnews.jsonio import read_jsonl

FIXTURES = Path(__file__).parent / "fixtures" / "scrapes"


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    out = tmp_path_factory.mktemp("fixtures")
    ingest_directory(FIXTURES, out)
    documents = {row["source_file"]: row for row in read_jsonl(out / "documents.jsonl")}
    removed = Counter()
    for row in read_jsonl(out / "removed.jsonl"):
        removed[row["source_file"], row["reason"]] += 1
    return documents, removed


def paragraphs(document):
    return [document["text"][p["start"] : p["end"]] for p in document["paragraphs"]]


def test_other_outlet_weather_caption_dateline_and_footer(fixtures):
    documents, removed = fixtures
    name = "weather_caption_dateline.txt"
    assert paragraphs(documents[name]) == [
        "가상전자가 경기도에 차세대 반도체 공장을 착공했다고 7일 밝혔다.",
        "가상전자는 이번 공장에 총 3조원을 투자한다.",
        '회사 측은 "2026년부터 본격 가동할 것"이라고 말했다.',
    ]
    assert documents[name]["title"] == "가상전자, 차세대 반도체 공장 착공…2026년 가동 목표"
    counts = {reason: n for (source, reason), n in removed.items() if source == name}
    assert counts == {
        "page_date_widget": 1,
        "weather_widget": 4,
        "masthead": 1,
        "headline": 1,
        "ui_text": 3,
        "headline_duplicate": 1,
        "photo_caption": 1,
        "photo_caption_duplicate": 1,
        "byline": 2,
        "copyright": 1,
        "related_articles": 3,
    }


def test_kosdaq_widget_for_another_company_inside_sentences(fixtures):
    documents, removed = fixtures
    name = "kosdaq_widget.txt"
    assert paragraphs(documents[name]) == [
        # particle 가 re-attaches to the name the widget followed
        "예시바이오가 신약 후보물질의 임상 2상에 들어간다고 2일 밝혔다.",
        # a noun after the widget keeps its space
        "업계에 따르면 예시바이오 주가는 올해 들어 40% 올랐다.",
        '한 증권사 연구원은 "임상 결과가 관건"이라고 말했다.',
    ]
    assert removed[name, "stock_quote_widget"] == 2
    assert removed[name, "byline"] == 2


def test_duplicates_markers_section_head_and_related_list(fixtures):
    documents, removed = fixtures
    name = "duplicates_markers.txt"
    assert paragraphs(documents[name]) == [
        "예시통신이 6G 시험망 구축을 마쳤다고 밝혔다.",
        "예시통신은 내년까지 시험망을 전국 5개 도시로 넓히고 장비 공급사를 두 곳 더 선정할 계획이다.",
        "■ 예시통신, 6G 표준화 주도",
        "예시통신은 국제 표준화 회의에서 핵심 기술 10건을 제안했고 이 가운데 3건이 채택됐다.",
    ]
    # one exact and one near-exact copy ("채택 됐다")
    assert removed[name, "duplicated_paragraph"] == 2
    assert removed[name, "related_articles"] == 2
    assert removed[name, "byline"] == 2
    assert removed[name, "ui_text"] == 2


def test_wiki_page_markup_footnotes_and_first_line_with_a_sentence_end(fixtures):
    documents, removed = fixtures
    name = "wiki_markup_footnotes.txt"
    assert paragraphs(documents[name]) == [
        # a sentence ends inside the first line: body text, not a subheadline
        "2023년 5월 1일, 예시우주국이 시험 발사체를 쏘아 올렸다. (발사 예정일로부터 +2일)",
        "발사체는 궤도에 도달했다. 예시우주국은 다음 발사를 준비한다.",
        '관계자는 "성공적"이라고 밝혔다.',
    ]
    assert removed[name, "footnote_marker"] == 2
    assert removed[name, "wiki_markup"] == 2
    assert removed[name, "subheadline"] == 0
    document = documents[name]
    assert (document["url"], document["license"], document["source"]) == (
        "https://example.org/wiki/예시우주국",
        "invented test fixture",
        "wikinews",
    )


@pytest.mark.parametrize(
    ("line", "kept", "reasons"),
    [
        ("값은 3이다.[2]", "값은 3이다.", [Reason.FOOTNOTE_MARKER]),
        ("목록 [1] 과 [[1]] 끝.", "목록  과 끝.", [Reason.FOOTNOTE_MARKER, Reason.WIKI_MARKUP]),
        ("배열 a[1000]은 그대로다.", "배열 a[1000]은 그대로다.", []),
        ("[[분류:기술]] [[분류:인터넷]]", None, [Reason.WIKI_MARKUP, Reason.WIKI_MARKUP]),
    ],
)
def test_inline_wiki_markup_and_footnote_markers(line, kept, reasons):
    removed, kept_paragraphs = reasons_of("본문이다.\n" + line)
    assert [reason for _, _, reason in removed] == reasons
    assert kept_paragraphs == ["본문이다."] + ([kept] if kept else [])


def reasons_of(raw, **metadata):
    cleaned = clean_article(raw, title=metadata.get("title"), outlet=metadata.get("outlet"))
    return [(p.line, p.text, p.reason) for p in cleaned.pieces if p.reason], cleaned.paragraphs


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("2022/3/5 (토)", Reason.PAGE_DATE_WIDGET),
        ("맑음대구 -2.1°C, 눈청주 0.5°C", Reason.WEATHER_WIDGET),
        ("기상청 제공", Reason.WEATHER_WIDGET),
        ("사진=예시통신 제공", Reason.PHOTO_CAPTION),
        ("ⓒ 예시일보 All rights reserved.", Reason.COPYRIGHT),
        ("이가상·박예시 기자 lee@example.org", Reason.BYLINE),
        ("[예시일보=최가상 특파원]", Reason.BYLINE),
        ("인기 기사", Reason.RELATED_ARTICLES),
        ("URL 복사", Reason.UI_TEXT),
        ("1,024", None),
    ],
)
def test_single_furniture_lines(line, reason):
    pieces, paragraphs = reasons_of(f"{line}\n예시 회사가 새 서비스를 내놨다.")
    if reason is None:
        assert paragraphs[0] == line
    else:
        assert pieces == [(1, line, reason)]
    assert paragraphs[-1] == "예시 회사가 새 서비스를 내놨다."


def test_body_text_that_resembles_furniture_is_kept():
    raw = (
        "서울 최고기온은 3.2℃로 예년보다 높았다.\n"
        "예시통신은 더보기 버튼을 없앤 새 앱을 공개했다.\n"
        "이 사진=기록이라는 전시가 열렸다.\n"
        "[단독] 예시전자, 새 공장 짓는다는 보도가 나왔다."
    )
    pieces, paragraphs = reasons_of(raw)
    assert pieces == []
    assert paragraphs == raw.split("\n")


def test_related_list_ends_at_the_next_body_paragraph():
    raw = "관련기사\n예시 기사 제목\n예시 회사는 내년 상장을 추진한다.\n짧은 제목 같은 줄"
    pieces, paragraphs = reasons_of(raw)
    assert [p[2] for p in pieces] == [Reason.RELATED_ARTICLES, Reason.RELATED_ARTICLES]
    assert paragraphs == ["예시 회사는 내년 상장을 추진한다.", "짧은 제목 같은 줄"]


FURNITURE_LINES = st.sampled_from(
    [
        "닫기",
        "0",
        "  • 흐림서울 3.2℃",
        "기상청 제공",
        "2024.04.24 (수)",
        "관련기사",
        "배너",
        "【 예시일보 】 예시 문장이다.",
        "[서울=예시뉴스]홍길동 기자-본문이다.",
        "예시 캡션. 사진=예시이미지 확대보기",
        "홍길동 기자 hong@example.com",
        "ⓒ 예시일보 무단전재·재배포 금지",
        "◇예시 소제목",
        "24일 예시 예시 123456 | 코스피 증권정보 현재가 1,000 close 에 따르면 늘었다.",
    ]
)
TEXT_LINES = st.text(
    alphabet=st.sampled_from(list("가나다라마바사 .,\"'()ABC123\u00a0")), max_size=40
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(FURNITURE_LINES, TEXT_LINES), max_size=15))
def test_pieces_reproduce_every_raw_line_exactly(lines):
    raw = "\n".join(lines)
    cleaned = clean_article(raw, title="예시 캡션", outlet="예시일보")
    rebuilt: dict[int, str] = {}
    for piece in cleaned.pieces:
        assert piece.column == len(rebuilt.get(piece.line, ""))
        rebuilt[piece.line] = rebuilt.get(piece.line, "") + piece.text
    assert [rebuilt.get(n, "") for n in range(1, len(raw.split("\n")) + 1)] == raw.split("\n")
    kept_lines = {}
    for piece in cleaned.pieces:
        if piece.reason is None:
            kept_lines[piece.line] = kept_lines.get(piece.line, "") + piece.text
    assert [t.strip() for t in kept_lines.values() if t.strip()] == cleaned.paragraphs
    assert all(p == p.strip() and "\n" not in p for p in cleaned.paragraphs)
