"""Properties of the normaliser: whole numbers in every supported style read back exactly; any span
the finder returns in news-like text re-parses to the same reading, within what its digits allow."""

from __future__ import annotations

import re

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kotechnews.quantity import QuantityError, find_quantities, parse_quantity
from kotechnews.quantity.spell import STYLES, spell_number, supports

UNITS = ["", " 원", "원", "개", " 명", "달러", " 파라미터"]


@settings(max_examples=1500, deadline=None)
@given(
    value=st.integers(0, 10**16),
    style=st.sampled_from(STYLES),
    unit=st.sampled_from(UNITS),
    rng=st.randoms(use_true_random=False),
)
def test_spelled_number_reads_back_exactly(value, style, unit, rng):
    assume(supports(value, style))
    if style == "native":
        unit = unit or " 개"  # native numerals only count before a counter
    text = spell_number(value, style, rng) + unit
    q = parse_quantity(text)
    assert q.value == value, text
    assert isinstance(q.value, int)
    assert (q.low, q.high, q.approximate) == (None, None, False)
    assert q.unit == (unit.strip() or None)


@settings(max_examples=500, deadline=None)
@given(value=st.integers(1, 10**16), rng=st.randoms(use_true_random=False))
def test_mixed_spelling_as_a_bound_and_a_range(value, rng):
    text = spell_number(value, "mixed", rng)
    assert parse_quantity(f"약 {text}원 이상").low == value
    assert parse_quantity(f"최대 {text}명").high == value
    q = parse_quantity(f"{value - 1}~{value}개") if value > 1 else None
    if q is not None:
        assert (q.low, q.high) == (value - 1, value)


@settings(max_examples=500, deadline=None)
@given(digits=st.integers(1, 9), exponent=st.integers(0, 15))
def test_dae_interval_is_one_step_of_the_lowest_digit(digits, exponent):
    value = digits * 10**exponent
    text = spell_number(value, "mixed") + "원대"
    q = parse_quantity(text)
    assert (q.low, q.high, q.unit) == (value, value + 10**exponent, "원")


def test_speller_examples():
    assert spell_number(25_000_000, "sino") == "이천오백만"
    assert spell_number(21, "native") == "스물한"
    assert spell_number(20, "native") == "스무"
    assert spell_number(1_234_567, "commas") == "1,234,567"
    assert parse_quantity(spell_number(10**16, "sino")).value == 10**16


PIECES = list(
    "0123456789,.~-+$ %()일이삼사오육칠팔구십백천만억조경수여대약총이상하미만초과간째년월일개명원배가"
) + [
    "개월",
    "파라미터",
    "%p",
    "분의 ",
    "여명",
    "억대",
    "수백억",
    "단위",
    "가량",
    "두 ",
    "세 ",
    "GB",
    "최대 ",
]


# Pieces of real news text around numbers: counters that start like big units, 여 inside numbers,
# compound durations, day words, scores, ordinals, age bands, glued particles.
NEWS_PIECES = PIECES + [
    "GPT-3 ",
    "코로나19",
    "2020년 2월 ",
    "경기",
    "여만",
    "여억",
    "시간 ",
    "분",
    "초",
    "세트",
    "종목",
    "배럴",
    "자리",
    "주기",
    "원권",
    " 대 ",
    "대1",
    "-",
    "제",
    "번째",
    "차",
    "호선",
    "이틀",
    "하루",
    "보름",
    " 동안",
    "50대",
    "20~30대",
    "평점",
    "당",
    "때",
    "꼴",
    "년도",
    "'",
    "구조",
    "열대",
    "세대",
    "한마디",
    "1년 6개월",
    "2시간 40분",
    "5분 30초",
    "kg",
    "m",
    "인치",
    "표",
    "골",
    "번",
    "마디",
    " 팀",
    " 조",
    "는 ",
    "을 ",
    "에 ",
]
_EXPONENTS = {"십": 1, "백": 2, "천": 3, "만": 4, "억": 8, "조": 12, "경": 16}
_TIME_UNIT_RE = re.compile("년|개월|주|일|시간|분|초")


def _largest_allowed(span: str) -> float:
    """What the digits and unit words of a span can make at most: each digit or Sino-Korean digit one
    place, 수 one more, each 십/백/천/만/억/조/경 its exponent, two places for a native numeral or day
    word, and a compound duration (2시간 40분) at most 3600 of its smaller unit per larger one."""
    integer_part = re.sub(r"\.[0-9]+", "", span)
    places = sum(ch.isdigit() or ch in "일이삼사오육칠팔구수" for ch in integer_part)
    places += sum(_EXPONENTS.get(ch, 0) for ch in integer_part) + 2
    compound = 3600 if len(_TIME_UNIT_RE.findall(span)) >= 2 else 1
    return 10.0**places * compound


@settings(max_examples=4000, deadline=None)
@given(st.lists(st.sampled_from(NEWS_PIECES), max_size=14).map("".join))
def test_found_spans_reparse_to_the_same_reading_within_what_their_digits_allow(text):
    for q in find_quantities(text):
        assert text[q.start : q.end] == q.text
        again = parse_quantity(q.text)
        assert again.to_dict() == q.to_dict(), text
        for number in (q.value, q.low, q.high):
            assert number is None or abs(number) <= _largest_allowed(q.text), (text, q)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(NEWS_PIECES), max_size=12).map("".join))
def test_any_text_is_read_within_what_its_digits_allow_or_refused_with_quantity_error(text):
    try:
        q = parse_quantity(text)
    except QuantityError:
        return
    assert q.value is not None or q.low is not None or q.high is not None
    assert 0 <= q.start < q.end <= len(text)
    for number in (q.value, q.low, q.high):
        assert number is None or abs(number) <= _largest_allowed(text), (text, q)
