"""Cleaning rules: which parts of a raw news-page scrape are article text.

A scrape is read line by line. Every line is cut into pieces that together reproduce it
exactly: each piece is either article text (reason ``None``) or dropped with a `Reason`.
Rules are patterns of page furniture (widgets, bylines, captions, UI words) that hold across
outlets; the only per-article inputs are the curated headline and outlet name. The decisions
and the seed examples behind them are recorded in annotation/CLEANING.md.

Changing any rule's behaviour means bumping CLEANING_VERSION.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from kotechnews.segment import tokenize_morphemes

CLEANING_VERSION = "3"


class Reason(StrEnum):
    """Why a line or fragment of a scrape is not article text."""

    HEADLINE = "headline"  # kept as the document title, not in the text
    HEADLINE_DUPLICATE = "headline_duplicate"
    SUBHEADLINE = "subheadline"
    MASTHEAD = "masthead"
    PAGE_DATE_WIDGET = "page_date_widget"
    WEATHER_WIDGET = "weather_widget"
    STOCK_QUOTE_WIDGET = "stock_quote_widget"
    PHOTO_CAPTION = "photo_caption"
    PHOTO_CAPTION_DUPLICATE = "photo_caption_duplicate"
    BYLINE = "byline"
    SCRAPER_FIELD = "scraper_field"
    COPYRIGHT = "copyright"
    RELATED_ARTICLES = "related_articles"
    UI_TEXT = "ui_text"
    DUPLICATED_PARAGRAPH = "duplicated_paragraph"
    WIKI_MARKUP = "wiki_markup"  # [[분류:...]] category links and other [[...]] remnants
    FOOTNOTE_MARKER = "footnote_marker"  # [1], [12]: reference markers of wiki pages
    CONTROL_CHARACTER = "control_character"  # NUL and other Cc characters (not \n, \t, CRLF's \r)


@dataclass(frozen=True)
class Piece:
    """A stretch of one raw line: ``line`` is 1-based, ``column`` a code-point offset."""

    line: int
    column: int
    text: str
    reason: Reason | None  # None: article text, or the blank space of a blank line


@dataclass(frozen=True)
class CleanedArticle:
    pieces: list[Piece]  # in raw order; per line they concatenate to the (NFC) raw line
    paragraphs: list[str]  # article text, one entry per kept line, in raw order


# --- patterns -------------------------------------------------------------------------------

_NAME = r"[가-힣]{2,4}"
_ROLE = r"(?:선임기자|전문기자|객원기자|인턴기자|수습기자|기자|특파원|논설위원|편집위원|에디터|통신원)(?![가-힣])"
# Separators and repetitions are possessive (*+, ++): adjacent optional whitespace would
# otherwise make a long almost-byline line backtrack exponentially.
_NAMES = rf"{_NAME}(?:\s*+[·,]\s*+{_NAME})*+"
_EMAIL = r"[A-Za-z0-9._%+-]++@[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)++"
_AFFILIATION = r"(?:[가-힣A-Za-z]{2,15}\s++)?"
_CREDIT_EMAIL = rf"\s*+[(<\[]?+\s*+{_EMAIL}\s*+[)>\]]?+"
_CREDIT_SEPARATOR = r"[\s,·/=-]*+"
_BYLINE_UNIT = rf"{_NAMES}\s*+{_AFFILIATION}{_ROLE}(?:{_CREDIT_EMAIL})?+"

# Lead-ins before the first word of a line: scraper fields, 【 outlet 】 markers,
# [서울=outlet]name 기자- / (서울=outlet) name 기자 = datelines, [outlet name 기자] brackets.
_LEAD_INS: list[tuple[re.Pattern[str], Reason]] = [
    (re.compile(r"\s*date\s+\d{4}(?:-\d{1,2}){0,2}(?:\s+|$)"), Reason.SCRAPER_FIELD),
    (re.compile(r"\s*【[^】\n]{0,40}】\s*"), Reason.BYLINE),
    (
        re.compile(
            rf"\s*(?:\[[^\[\]\n]{{0,30}}(?:=|{_ROLE})[^\[\]\n]{{0,40}}\]|\((?!\s*사진)[^()\n]{{0,20}}=[^()\n]{{1,20}}\))"
            rf"\s*+(?:{_NAMES}\s*+{_ROLE}\s*+[-=:–—]?+\s*+)?"
        ),
        Reason.BYLINE,
    ),
]
# Credits after the last word of a line: a 【 outlet=name 기자 】 marker or name-role-email,
# looked for only in the last _TRAIL_WINDOW characters (a credit is short; keeps search linear).
_TRAIL_WINDOW = 200
_TRAIL_OUTS = [
    re.compile(r"\s*【[^】\n]{0,40}】\s*$"),
    re.compile(
        rf"\s*+[/=]?+\s*+(?:{_NAMES}\s*+{_AFFILIATION}{_ROLE}{_CREDIT_EMAIL}{_CREDIT_SEPARATOR})++$"
    ),
]

# Stock-quote widget inlined after a company name: "NAME CODE6 | 코스피 증권정보 현재가 … close".
_STOCK_WIDGET_HEAD = re.compile(
    r"\b\d{6}\s*\|\s*(?:코스피|코스닥|코넥스|KOSPI|KOSDAQ|KONEX)\s*증권정보"
)
_STOCK_WIDGET_END = re.compile(r"(?<![A-Za-z])close(?![A-Za-z])")
_SPACE = re.compile(r"\s*+")
# Markup of wiki pages left in the text: [[분류:]] links (any [[...]] without a line break) and
# numeric footnote markers [1]. Bounded repetitions keep the search linear on long lines.
_INLINE_MARKUP: list[tuple[re.Pattern[str], Reason]] = [
    (re.compile(r"\s*+\[\[[^\[\]\n]{0,200}\]\]"), Reason.WIKI_MARKUP),
    (re.compile(r"\[\d{1,3}\](?!\])"), Reason.FOOTNOTE_MARKER),
]
# Morphemes that continue the word before them: particles, copula, derivational suffixes.
_ATTACHING_TAGS = ("J", "VCP", "XSN", "XSV", "XSA")

# Possessive quantifiers throughout: a long line that is almost a weather widget fails in linear time.
_WEATHER_ENTRY = (
    r"[•·∙◦*-]?+\s*+[가-힣A-Za-z]++(?:\s++[가-힣A-Za-z]++){0,2}+"
    r"\s*+-?+\d{1,2}+(?:\.\d++)?+\s*+(?:℃|°C|°)"
)
_WEATHER_LINE = re.compile(rf"(?:{_WEATHER_ENTRY}[\s,/|]*+)++")
_WEATHER_CREDIT = re.compile(r"(?:자료\s*[:=]?\s*)?기상청(?:\s*제공)?")
_PAGE_DATE = re.compile(
    r"\d{4}\s*[./년-]\s*\d{1,2}\s*[./월-]\s*\d{1,2}\s*[.일]?\s*\(?\s*[월화수목금토일](?:요일)?\s*\)?"
)
_CAPTION_ENLARGE = re.compile(r"\s*(?:이미지|사진)\s*(?:확대|크게)\s*보기\s*$")
_CAPTION_CREDIT = re.compile(
    r"\s*[(\[<]?\s*(?:사진|사진\s*제공|사진\s*출처)\s*[=:]\s*[^\s=()\[\]<>]{1,30}(?:\s*제공)?\s*[)\]>]?\s*$"
)
_CAPTION_LEAD = re.compile(r"\s*[(\[<]?\s*사진\s*[=:]")
_COPYRIGHT = re.compile(r"©|ⓒ|\(c\)|copyright|all rights reserved|무단\s*전재|재배포\s*금지", re.I)
_BYLINE_LINE = re.compile(rf"{_CREDIT_SEPARATOR}(?:{_BYLINE_UNIT}{_CREDIT_SEPARATOR})++")
_HAS_EMAIL = re.compile(_EMAIL)
_RELATED_HEADING = re.compile(
    r"(?:관련\s*기사|관련\s*뉴스|연관\s*기사|많이\s*본\s*(?:기사|뉴스)|인기\s*기사|주요\s*기사|추천\s*기사"
    r"|최신\s*기사|이\s*시각\s*주요\s*뉴스|함께\s*보면\s*좋은\s*기사)(?:\s*(?:목록|보기|더보기))?"
)
_UI_WORDS = frozenset(
    """닫기 공유 공유하기 기사공유 더보기 배너 광고 댓글 좋아요 싫어요 스크랩 인쇄 프린트 글자크기 글씨크기
    가 목록 이전기사 다음기사 페이스북 트위터 카카오톡 카카오스토리 네이버밴드 밴드 URL복사 링크복사 구독
    구독하기 맨위로 TOP 메뉴 검색 로그인 회원가입 기사보내기 북마크 음성으로듣기 기사듣기""".split()
)
_LONE_COUNT = re.compile(r"\d{1,7}")  # share / like / comment counters
# Section heads inside the body (◇KT, 연내 KAIST와 AI 연구소 설립) are kept as paragraphs.
_SECTION_HEAD = re.compile(r"\s*[◇◆■□▶▷●○◎]")
_SENTENCE_FINAL = re.compile(r"[.!?。][\"'”’」』)\]]*\s*$")
# A sentence that ends inside the line and text that goes on: a body line, never a subheadline
# ("... 종료되었다. (뮤직샘 종료일로부터 +7일)").
_SENTENCE_INSIDE = re.compile(r"[가-힣][.!?。][\"'”’」』)\]]*\s+\S")

# Unicode Cc except \n (the line break) and \t (whitespace like a space); a \r at the end of a
# line is the CR of a CRLF break and stays trailing whitespace, trimmed with the line as before.
_CONTROL = re.compile(r"(?:[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n|\Z))++")
# What a clean text never holds, so what the validator refuses in a task's text: every control
# character but \n and \t (the CR of a CRLF break is trimmed with its line).
NOT_IN_CLEAN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What a one-line value (an id, a metadata field, an annotation attribute) never holds: any
# control character, and the line and paragraph separators.
NOT_IN_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "「": '"', "」": '"'})
_NEAR_DUPLICATE_MIN_CHARS = 40
_NEAR_DUPLICATE_RATIO = 0.97
# Longer paragraphs are checked for exact copies only: difflib's ratio is quadratic in the length
# in the worst case, and the longest real paragraph has 1641 characters.
_NEAR_DUPLICATE_MAX_CHARS = 2000
_BLOCK = 8  # near-duplicate index: 8-character blocks of each kept paragraph
# A block shared by this many kept paragraphs is a common phrase: it no longer points at copies.
_COMMON_BLOCK = 32
# Upper bounds that follow from ratio >= 0.97 (2*matches / (la + lb)): the longer of two
# paragraphs is at most 1.0619 times the shorter, and at most 3% of la + lb is unmatched.
_LENGTH_RATIO = 2 / _NEAR_DUPLICATE_RATIO - 1
_UNMATCHED = 1 - _NEAR_DUPLICATE_RATIO
# What _attaches reads of the word after a widget: enough for any real word, bounded for Kiwi.
_ATTACH_WORD_CHARS = 100


def without_control_characters(text: str) -> str:
    """The text as the rules read it: control characters (other than \n, \t, CRLF's \r) left out."""
    return _CONTROL.sub("", text)


def normalise_for_comparison(text: str) -> str:
    """NFC, straight quotes, single spaces: the key two copies of a paragraph share."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_QUOTES).split())


# --- line pieces ------------------------------------------------------------------------------


def _attaches(name: str, following: str) -> bool:
    """Whether the text after an inlined widget continued the word before it (KT + 에 따르면)."""
    if not following:
        return True
    if unicodedata.category(following[0]) in {"Po", "Pe", "Pf", "Pd", "Ps"}:
        return True
    word = following.split()[0]
    for morpheme in tokenize_morphemes(name + word):
        if morpheme.end > len(name):
            return morpheme.start >= len(name) and morpheme.tag.startswith(_ATTACHING_TAGS)
    return False


def _stock_widgets(line: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of stock-quote widgets in line[start:end], each from the whitespace before the
    widget's company name to 'close' (plus the following space when a particle re-attaches)."""
    spans = []
    floor = start
    for head in _STOCK_WIDGET_HEAD.finditer(line, start, end):
        if head.start() < floor:
            continue
        tokens = list(re.finditer(r"\S+", line[floor : head.start()]))
        name_from = len(tokens) - 1 if tokens else None
        for size in (1, 2, 3):  # the widget repeats the name the text just gave: "KT KT 030200"
            if len(tokens) >= 2 * size:
                name = " ".join(t.group() for t in tokens[-size:])
                before = line[floor : floor + tokens[-size].start()].rstrip()
                if before.endswith(name):
                    name_from = len(tokens) - size
                    break
        if name_from is None:
            widget_start, name = head.start(), ""
        else:
            name = " ".join(t.group() for t in tokens[name_from:])
            widget_start = floor + tokens[name_from].start()
            while widget_start > floor and line[widget_start - 1].isspace():
                widget_start -= 1
        close = _STOCK_WIDGET_END.search(line, head.end(), end)
        widget_end = close.end() if close else end
        # Only the next word is read, never a copy of the rest of the line: linear in widgets.
        following = _SPACE.match(line, widget_end, end).end()
        if _attaches(name, line[following : min(end, following + _ATTACH_WORD_CHARS)]):
            widget_end = following
        spans.append((widget_start, widget_end))
        floor = widget_end
    return spans


def _fragments(line: str) -> list[tuple[int, int, Reason]]:
    """Lead-in, trailing and inline fragments of a line, sorted and non-overlapping."""
    fragments = []
    start, end = 0, len(line)
    matched = True
    while matched and start < end:
        matched = False
        for pattern, reason in _LEAD_INS:
            found = pattern.match(line, start, end)
            if found and found.end() > start:
                fragments.append((start, found.end(), reason))
                start, matched = found.end(), True
                break
    for pattern in _TRAIL_OUTS:
        found = pattern.search(line, max(start, end - _TRAIL_WINDOW), end)
        if found and found.start() < end and line[start : found.start()].strip():
            fragments.append((found.start(), end, Reason.BYLINE))
            end = found.start()
    for widget_start, widget_end in _stock_widgets(line, start, end):
        fragments.append((widget_start, widget_end, Reason.STOCK_QUOTE_WIDGET))
    taken = sorted(fragments)  # non-overlapping: the last one starting before a match is the only
    starts = [s for s, _, _ in taken]  # one that can overlap it (bisect, not a scan per match)
    for pattern, reason in _INLINE_MARKUP:
        for found in pattern.finditer(line, start, end):
            before = bisect.bisect_left(starts, found.end()) - 1
            if before < 0 or taken[before][1] <= found.start():
                fragments.append((found.start(), found.end(), reason))
    return sorted(fragments)


def _gaps(length: int, fragments: list[tuple[int, int, Reason]]) -> list[tuple[int, int]]:
    """The spans of a line that no fragment covers."""
    gaps, position = [], 0
    for start, end, _ in fragments:
        if start > position:
            gaps.append((position, start))
        position = max(position, end)
    if position < length:
        gaps.append((position, length))
    return gaps


def _line_reason(core: str, title_key: str | None, outlet_key: str | None) -> Reason | None:
    """The reason a whole line (its text left after fragments, stripped) is page furniture."""
    key = normalise_for_comparison(core)
    if title_key and key == title_key:
        return Reason.HEADLINE
    if outlet_key and key == outlet_key:
        return Reason.MASTHEAD
    if key.replace(" ", "") in _UI_WORDS or _LONE_COUNT.fullmatch(key):
        return Reason.UI_TEXT
    if _PAGE_DATE.fullmatch(key):
        return Reason.PAGE_DATE_WIDGET
    if _WEATHER_LINE.fullmatch(key) or _WEATHER_CREDIT.fullmatch(key):
        return Reason.WEATHER_WIDGET
    if _CAPTION_ENLARGE.search(key) or _CAPTION_CREDIT.search(key) or _CAPTION_LEAD.match(key):
        return Reason.PHOTO_CAPTION
    if len(key) <= 200 and _COPYRIGHT.search(key):
        return Reason.COPYRIGHT
    if _BYLINE_LINE.fullmatch(key) or (
        len(key) <= 100 and _HAS_EMAIL.search(key) and not _SENTENCE_FINAL.search(key)
    ):
        return Reason.BYLINE
    if _RELATED_HEADING.fullmatch(key):
        return Reason.RELATED_ARTICLES
    return None


def _caption_key(text: str) -> str:
    """A caption without its enlarge button and photo credit (normalised first: single spaces)."""
    text = _CAPTION_ENLARGE.sub("", normalise_for_comparison(text))
    return _CAPTION_CREDIT.sub("", text).strip()


def _unmatched_bound(total_length: float) -> int:
    """More than difflib can leave unmatched of two paragraphs of this total length at ratio 0.97."""
    return int(_UNMATCHED * total_length) + 1


class _KeptParagraphs:
    """Kept paragraph keys, looked up for exact copies (a set) and near copies (an index).

    Comparing each paragraph with every earlier one is quadratic in the article. A near copy b of
    a (ratio >= 0.97) leaves at most u = 3% of len(a) + len(b) characters unmatched, and each
    unmatched character breaks at most one of b's 8-character blocks, so a contains all but u of
    them. Only paragraphs that share enough blocks reach difflib; the result is the same as the
    full comparison except for paragraphs made mostly of blocks common to 32+ earlier paragraphs
    (those are checked for exact copies only).
    """

    def __init__(self) -> None:
        self.exact: set[str] = set()
        self.keys: list[str] = []  # near-duplicate targets, by id
        self.blocks: list[int] = []  # how many 8-character blocks each one has
        self.uncounted: list[int] = []  # of them, blocks whose index entry was dropped as common
        self.index: dict[
            str, list[int] | None
        ] = {}  # block -> ids of paragraphs with it (None: common)

    def is_duplicate(self, key: str) -> bool:
        return key in self.exact or self._is_near_duplicate(key)

    def add(self, key: str) -> None:
        self.exact.add(key)
        if not _NEAR_DUPLICATE_MIN_CHARS <= len(key) <= _NEAR_DUPLICATE_MAX_CHARS:
            return
        number = len(self.keys)
        self.keys.append(key)
        self.blocks.append(len(key) // _BLOCK)
        self.uncounted.append(0)
        for at in range(0, len(key) - _BLOCK + 1, _BLOCK):
            ids = self.index.setdefault(key[at : at + _BLOCK], [])
            if ids is None:
                self.uncounted[number] += 1
                continue
            ids.append(number)
            if len(ids) >= _COMMON_BLOCK:
                for other in ids:
                    self.uncounted[other] += 1
                self.index[key[at : at + _BLOCK]] = None

    def _is_near_duplicate(self, key: str) -> bool:
        if not _NEAR_DUPLICATE_MIN_CHARS <= len(key) <= _NEAR_DUPLICATE_MAX_CHARS:
            return False
        shared: Counter[int] = Counter()
        for gram in {key[at : at + _BLOCK] for at in range(len(key) - _BLOCK + 1)}:
            ids = self.index.get(gram)
            if ids:
                shared.update(ids)
        # One character of slack each way: difflib's own checks below decide at the boundary.
        shortest, longest = len(key) / _LENGTH_RATIO - 1, len(key) * _LENGTH_RATIO + 1
        for number, count in shared.items():
            other = self.keys[number]
            if not shortest <= len(other) <= longest:
                continue
            if count + self.uncounted[number] < self.blocks[number] - _unmatched_bound(
                len(key) + len(other)
            ):
                continue
            matcher = SequenceMatcher(None, key, other, autojunk=False)
            if (
                matcher.real_quick_ratio() >= _NEAR_DUPLICATE_RATIO
                and matcher.quick_ratio() >= _NEAR_DUPLICATE_RATIO
                and matcher.ratio() >= _NEAR_DUPLICATE_RATIO
            ):
                return True
        return False


def _line_reasons(
    cores: list[str], title_key: str | None, outlet_key: str | None
) -> list[Reason | None]:
    """A reason per line (None: article text), from its own text and its place in the scrape."""
    reasons: list[Reason | None] = []
    headline_seen = False
    in_header = False  # between the headline and the first body line: subheadlines
    in_related = False  # after a related-articles heading, until a body line
    caption_keys: set[str] = set()
    kept = _KeptParagraphs()
    for core in cores:
        if not core:
            reasons.append(None)
            continue
        reason = _line_reason(core, title_key, outlet_key)
        if reason is Reason.HEADLINE:
            reason = Reason.HEADLINE_DUPLICATE if headline_seen else Reason.HEADLINE
            in_header = in_header or not headline_seen
            headline_seen = True
        elif reason is Reason.PHOTO_CAPTION or (
            reason is None and _caption_key(core) in caption_keys
        ):
            key = _caption_key(core)
            reason = Reason.PHOTO_CAPTION_DUPLICATE if key in caption_keys else Reason.PHOTO_CAPTION
            caption_keys.add(key)
        elif reason is Reason.RELATED_ARTICLES:
            in_related = True
        elif reason is None:
            if (
                _SENTENCE_FINAL.search(core)
                or _SENTENCE_INSIDE.search(core)
                or _SECTION_HEAD.match(core)
            ):
                in_header = in_related = False
            if in_related:
                reason = Reason.RELATED_ARTICLES
            elif in_header:
                reason = Reason.SUBHEADLINE
            else:
                key = normalise_for_comparison(core)
                if kept.is_duplicate(key):
                    reason = Reason.DUPLICATED_PARAGRAPH
                else:
                    kept.add(key)
        reasons.append(reason)
    return reasons


def _line_pieces(
    number: int, line: str, spans: list[tuple[int, int, Reason | None]]
) -> list[Piece]:
    """Pieces of raw line ``number`` from the sorted spans of its text without control characters:
    a span with control characters inside is cut around them, each run a piece of its own."""
    pieces, shift = [], 0  # shift: control characters before the current position
    controls = iter([*(found.span() for found in _CONTROL.finditer(line)), (len(line) + 1, 0)])
    control_start, control_end = next(controls)
    for start, end, reason in spans:
        at = start + shift
        if control_start == at:
            pieces.append(Piece(number, at, line[at:control_end], Reason.CONTROL_CHARACTER))
            shift, at = shift + control_end - control_start, control_end
            control_start, control_end = next(controls)
        stop = end + shift
        while control_start < stop:
            pieces.append(Piece(number, at, line[at:control_start], reason))
            pieces.append(
                Piece(
                    number, control_start, line[control_start:control_end], Reason.CONTROL_CHARACTER
                )
            )
            shift, stop, at = (
                shift + control_end - control_start,
                stop + control_end - control_start,
                control_end,
            )
            control_start, control_end = next(controls)
        pieces.append(Piece(number, at, line[at:stop], reason))
    if control_start < len(line):  # after the last span, or a line of control characters only
        pieces.append(
            Piece(number, control_start, line[control_start:control_end], Reason.CONTROL_CHARACTER)
        )
    return pieces


def clean_article(raw_text: str, *, title: str | None, outlet: str | None) -> CleanedArticle:
    """Split a scrape into article paragraphs and dropped pieces.

    ``title`` is the curated headline (its first line becomes the title, later copies are
    dropped), ``outlet`` the outlet name (a line that is only the name is the masthead).
    """
    raw_lines = unicodedata.normalize("NFC", raw_text).split("\n")
    # The rules read each line without its control characters; those become pieces of their own.
    lines = [without_control_characters(line) for line in raw_lines]
    fragments = [_fragments(line) for line in lines]
    gaps = [_gaps(len(line), line_fragments) for line, line_fragments in zip(lines, fragments)]
    cores = [
        "".join(line[s:e] for s, e in line_gaps).strip() for line, line_gaps in zip(lines, gaps)
    ]
    reasons = _line_reasons(
        cores,
        normalise_for_comparison(title) if title else None,
        normalise_for_comparison(outlet) if outlet else None,
    )
    pieces: list[Piece] = []
    paragraphs: list[str] = []
    for number, line in enumerate(raw_lines):
        spans = [(s, e, reasons[number]) for s, e in gaps[number]] + fragments[number]
        pieces += _line_pieces(number + 1, line, sorted(spans, key=lambda span: span[0]))
        if reasons[number] is None and cores[number]:
            paragraphs.append(cores[number])
    return CleanedArticle(pieces=pieces, paragraphs=paragraphs)
