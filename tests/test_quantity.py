"""parse_quantity against the conventions in src/kotechnews/quantity_conventions.md."""

from __future__ import annotations

import pytest

from kotechnews.quantity import Quantity, QuantityError, parse_quantity

E8, E12 = 10**8, 10**12

# text, value, low, high, unit, approximate
READINGS = [
    # the examples
    ("2000억 개", 2000 * E8, None, None, "개", False),
    ("약 200명", 200, None, None, "명", True),
    ("1억 7000만 원", 170_000_000, None, None, "원", False),
    ("수백억원", None, 10**10, 10**11, "원", True),
    ("6000억대", None, 6000 * E8, 7000 * E8, None, True),
    ("3배", 3, None, None, "배", False),
    ("1,200억 원", 1200 * E8, None, None, "원", False),
    ("10~20%", None, 10, 20, "%", False),
    ("1000억 원 이상", None, 1000 * E8, None, "원", False),
    ("두 배", 2, None, None, "배", False),
    ("0.5%p", 0.5, None, None, "%p", False),
    ("2000억 파라미터", 2000 * E8, None, None, "파라미터", False),
    ("1730억개", 1730 * E8, None, None, "개", False),
    ("1억달러", E8, None, None, "달러", False),
    ("100여명", None, 100, None, "명", True),
    ("15곳", 15, None, None, "곳", False),
    ("22개 기관", 22, None, None, "개", False),
    ("4종", 4, None, None, "종", False),
    ("3년간", 3, None, None, "년", False),
    ("6개월", 6, None, None, "개월", False),
    ("20년", 20, None, None, "년", False),
    ("1위", 1, None, None, "위", False),
    ("4만원", 40_000, None, None, "원", False),
    ("32,050", 32_050, None, None, None, False),
    # digits, commas, decimals
    ("0", 0, None, None, None, False),
    ("20,000,000원", 20_000_000, None, None, "원", False),
    ("3.05%", 3.05, None, None, "%", False),
    ("1.5억", 150_000_000, None, None, None, False),
    ("3.5조 원", 3_500_000_000_000, None, None, "원", False),
    ("0.25배", 0.25, None, None, "배", False),
    # big and small units mixed with digits
    ("2천500억", 2500 * E8, None, None, None, False),
    ("3만 5천", 35_000, None, None, None, False),
    ("7억 5,000만", 750_000_000, None, None, None, False),
    ("1억7000만원", 170_000_000, None, None, "원", False),
    ("2조 3000억 원", 2_300_000_000_000, None, None, "원", False),
    ("1만 5000원", 15_000, None, None, "원", False),
    ("3백만", 3_000_000, None, None, None, False),
    ("5천만 원", 50_000_000, None, None, "원", False),
    ("1경", 10**16, None, None, None, False),
    # Sino-Korean numerals
    ("이천오백만", 25_000_000, None, None, None, False),
    ("천만 원", 10_000_000, None, None, "원", False),
    ("만 명", 10_000, None, None, "명", False),
    ("일억 원", E8, None, None, "원", False),
    ("삼십오 명", 35, None, None, "명", False),
    ("십만", 100_000, None, None, None, False),
    # native numerals before a counter
    ("한 개", 1, None, None, "개", False),
    ("세 곳", 3, None, None, "곳", False),
    ("네 명", 4, None, None, "명", False),
    ("열 명", 10, None, None, "명", False),
    ("스무 명", 20, None, None, "명", False),
    ("스물한 개", 21, None, None, "개", False),
    ("서른세 곳", 33, None, None, "곳", False),
    ("두세 곳", None, 2, 3, "곳", True),
    ("대여섯 명", None, 5, 6, "명", True),
    ("한 달", 1, None, None, "개월", False),
    # vague amounts
    ("수십", None, 10, 100, None, True),
    ("수천억 원", None, 1000 * E8, 10_000 * E8, "원", True),
    ("수조 원", None, E12, 10 * E12, "원", True),
    ("수만 명", None, 10_000, 100_000, "명", True),
    ("수십억", None, 10**9, 10**10, None, True),
    ("1조 수천억 원", None, 1_100_000_000_000, 2 * E12, "원", True),
    ("수십여 개", None, 10, 100, "개", True),
    ("조 단위", None, E12, None, None, True),
    ("수십억 단위", None, 10**9, None, None, True),
    ("조 단위 파라미터", None, E12, None, "파라미터", True),
    # N대
    ("1500억대", None, 1500 * E8, 1600 * E8, None, True),
    ("1조 2000억대", None, 1_200_000_000_000, 1_300_000_000_000, None, True),
    ("6000억대 파라미터", None, 6000 * E8, 7000 * E8, "파라미터", True),
    ("10%대", None, 10, 20, "%", True),
    ("1.5%대", None, 1.5, 1.6, "%", True),
    ("0%대", None, 0, 1, "%", True),
    ("100만원대", None, 1_000_000, 2_000_000, "원", True),
    ("3대", 3, None, None, "대", False),
    ("100만대", 1_000_000, None, None, "대", False),
    ("100대 기업", 100, None, None, "대", False),
    ("10여대", None, 10, None, "대", True),
    ("세 대", 3, None, None, "대", False),
    ("두대", 2, None, None, "대", False),
    # ranges
    ("3~5년", None, 3, 5, "년", False),
    ("10%~20%", None, 10, 20, "%", False),
    ("2~3억 원", None, 2 * E8, 3 * E8, "원", False),
    ("1~2천", None, 1000, 2000, None, False),
    ("100만~200만 원", None, 1_000_000, 2_000_000, "원", False),
    ("10 ~ 20 %", None, 10, 20, "%", False),
    ("10-20%", None, 10, 20, "%", False),
    ("약 10~20%", None, 10, 20, "%", True),
    # approximation and bounds
    ("대략 3000명", 3000, None, None, "명", True),
    ("200명 가량", 200, None, None, "명", True),
    ("200명가량", 200, None, None, "명", True),
    ("10% 안팎", 10, None, None, "%", True),
    ("5년 정도", 5, None, None, "년", True),
    ("1000명 내외", 1000, None, None, "명", True),
    ("3년여", None, 3, None, "년", True),
    ("10년 남짓", None, 10, None, "년", True),
    ("약 6개월 이상", None, 6, None, "개월", True),
    ("10명 초과", None, 10, None, "명", False),
    ("최소 5곳", None, 5, None, "곳", False),
    ("최대 30%", None, None, 30, "%", False),
    ("30% 미만", None, None, 30, "%", False),
    ("100명 이하", None, None, 100, "명", False),
    ("수백억 원 이상", None, 10**10, None, "원", True),
    ("최대 10~20%", None, None, 20, "%", False),
    ("총 10개", 10, None, None, "개", False),
    ("총 약 200명", 200, None, None, "명", True),
    ("약200명", 200, None, None, "명", True),
    ("2000억 파라미터(매개변수) 이상", None, 2000 * E8, None, "파라미터", False),
    # units
    ("3%p", 3, None, None, "%p", False),
    ("3%포인트", 3, None, None, "%p", False),
    ("3퍼센트포인트", 3, None, None, "%p", False),
    ("50퍼센트", 50, None, None, "%", False),
    ("50％", 50, None, None, "%", False),
    ("3년 간", 3, None, None, "년", False),
    ("30일간", 30, None, None, "일", False),
    ("10GB", 10, None, None, "GB", False),
    ("2000억 개 규모", 2000 * E8, None, None, "개", False),
    ("1등", 1, None, None, "등", False),
    ("$100", 100, None, None, "달러", False),
    ("+3.05%", 3.05, None, None, "%", False),
    ("-0.5%p", -0.5, None, None, "%p", False),
    ("3분의 1", 1 / 3, None, None, None, False),
    ("4분의 3", 0.75, None, None, None, False),
    ("10만 일자리", 100_000, None, None, "일자리", False),
]


@pytest.mark.parametrize(
    "text,value,low,high,unit,approximate", READINGS, ids=[r[0] for r in READINGS]
)
def test_reading(text, value, low, high, unit, approximate):
    q = parse_quantity(text)
    assert (q.value, q.low, q.high, q.unit, q.approximate) == (value, low, high, unit, approximate)
    assert q.text == text


# text, words the error message must contain
ERRORS = [
    ("", "empty"),
    ("   ", "empty"),
    ("GPT-3", "no number"),
    ("이상", "no number"),
    ("수", "no number"),
    ("두", "needs a counter"),
    ("3월", "date"),
    ("5세대", "generation"),
    ("1분기", "date"),
    ("1990년대", "date"),
    ("3시", "date"),
    ("200명이", "'이'"),
    ("1,2345", "',2345'"),
    ("2천5000", "too large"),
    ("10천", "single digit"),
    ("1억 20000만", "below 10000"),
    ("3만 2억", "out of order"),
    ("억만", "'만'"),
    ("20~10%", "starts above"),
    ("10%~20", "start only"),
    ("10%~20명", "mixes units"),
    ("100여~200명", "plain numbers"),
    ("수십~수백 명", "'~수백 명'"),
    ("최대 100명 이상", "lower and an upper"),
    ("100여명 이하", "only a lower bound"),
    ("3명 간", "unit of time"),
    ("$100 달러", "both given"),
    ("-10~20%", "sign"),
    ("10개월여 만", "' 만'"),
    ("3년 여", "' 여'"),
    ("0대여", "after the counter '대'"),
    ("수백억대", "vague"),
    ("1~0만", "starts above"),
    ("3분의 1대", "fraction"),
]


@pytest.mark.parametrize("text,message", ERRORS, ids=[e[0] or "blank" for e in ERRORS])
def test_error(text, message):
    with pytest.raises(QuantityError) as caught:
        parse_quantity(text)
    assert message in str(caught.value)


def test_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_quantity("없음")


def test_non_string_is_refused_with_a_clear_message():
    with pytest.raises(QuantityError, match="expected a string"):
        parse_quantity(2000)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text,core",
    [
        ("약 200명", "200명"),
        ("1000억 원 이상", "1000억 원"),
        ("  3배 ", "3배"),
        ("22개 기관", "22개"),
        ("2000억 파라미터(매개변수) 이상", "2000억 파라미터"),
        ("$100", "$100"),
        ("10~20%", "10~20%"),
        ("조 단위", "조 단위"),
        ("3년간", "3년"),
    ],
)
def test_start_end_mark_the_number_with_its_unit(text, core):
    q = parse_quantity(text)
    assert text[q.start : q.end] == core


def test_whole_numbers_are_exact_beyond_float_precision():
    q = parse_quantity("9999경 9999조 9999억 9999만 9999")
    assert q.value == 10**20 - 1
    assert isinstance(q.value, int)


def test_to_dict_has_exactly_the_claim_keys():
    q = parse_quantity("수백억원")
    assert q.to_dict() == {
        "text": "수백억원",
        "value": None,
        "low": 10**10,
        "high": 10**11,
        "unit": "원",
        "approximate": True,
    }


def test_quantity_is_frozen():
    q = parse_quantity("3배")
    assert isinstance(q, Quantity)
    with pytest.raises(AttributeError):
        q.value = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    "text,message",
    [
        ("0분의 1", "zero parts"),
        ("9" * 40 + "명", "more than 24 digits"),
    ],
)
def test_degenerate_numbers_are_refused(text, message):
    with pytest.raises(QuantityError, match=message):
        parse_quantity(text)
