"""Whole numbers written in every supported Korean style read back exactly."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kotechnews.quantity import QuantityError, find_quantities, parse_quantity
from kotechnews.quantity.spell import STYLES, spell_number, supports

UNITS = ["", " 원", "원", "개", " 명", "달러", " 파라미터"]


@settings(max_examples=1500, deadline=None)
@given(value=st.integers(0, 10**16), style=st.sampled_from(STYLES), unit=st.sampled_from(UNITS),
       rng=st.randoms(use_true_random=False))
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


PIECES = list("0123456789,.~-+$ %()일이삼사오육칠팔구십백천만억조경수여대약총이상하미만초과간째년월일개명원배가") + [
    "개월", "파라미터", "%p", "분의 ", "여명", "억대", "수백억", "단위", "가량", "두 ", "세 ", "GB", "최대 "]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_any_text_is_read_or_refused_with_quantity_error(text):
    try:
        q = parse_quantity(text)
    except QuantityError:
        return
    assert q.value is not None or q.low is not None or q.high is not None
    assert 0 <= q.start < q.end <= len(text)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES + ["GPT-3 ", "코로나19", "2020년 2월 "]), max_size=16).map("".join))
def test_found_spans_point_into_the_text_and_parse_alike(text):
    for q in find_quantities(text):
        assert text[q.start:q.end] == q.text
        again = parse_quantity(q.text)
        assert (again.value, again.low, again.high, again.unit) == (q.value, q.low, q.high, q.unit)
