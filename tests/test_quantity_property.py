"""Whole numbers written in every supported Korean style read back exactly."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kotechnews.quantity import parse_quantity
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
