"""Write integers the ways Korean news writes them: the inverse of parse_quantity for whole numbers.

Used to generate expressions with a known value (property tests, the benchmark, synthetic
checks); each style is one convention from quantity_conventions.md.
"""

from __future__ import annotations

import random

from kotechnews.quantity.normalise import NATIVE_ONES, NATIVE_TENS, SINO_DIGITS

STYLES = ("digits", "commas", "mixed", "sino", "native")
_BIG_NAMES = ((10**16, "경"), (10**12, "조"), (10**8, "억"), (10**4, "만"))
_SINO_NAMES = {value: name for name, value in SINO_DIGITS.items()}


def supports(value: int, style: str) -> bool:
    """Whether ``style`` can write ``value`` (sino needs a unit character, native stops at 99)."""
    if style == "sino":
        return value >= 10
    if style == "native":
        return 1 <= value <= 99
    return value >= 0


def spell_number(value: int, style: str, rng: random.Random | None = None) -> str:
    """``value`` written in ``style``; ``rng`` picks among the spellings a style allows."""
    if not supports(value, style):
        raise ValueError(f"style {style!r} cannot write {value}")
    rng = rng or random.Random(0)
    if style == "digits":
        return str(value)
    if style == "commas":
        return f"{value:,}"
    if style == "native":
        return _native(value)
    groups = _big_groups(value)
    if style == "sino":
        return "".join(
            _sino_group(group, unit == "" or rng.random() < 0.5 or unit != "만") + unit
            for group, unit in groups
        )
    joiner = " " if rng.random() < 0.7 else ""
    return joiner.join(_mixed_group(group, rng) + unit for group, unit in groups)


def _big_groups(value: int) -> list[tuple[int, str]]:
    """Non-zero groups below 10000 with their big unit, largest first; 0 is one empty group."""
    groups = []
    for size, name in _BIG_NAMES:
        group, value = divmod(value, size)
        if group:
            groups.append((group, name))
    if value or not groups:
        groups.append((value, ""))
    return groups


def _mixed_group(group: int, rng: random.Random) -> str:
    choice = rng.random()
    if group >= 1000 and choice < 0.35:
        return f"{group:,}"
    if group >= 1000 and choice < 0.7:
        thousands, rest = divmod(group, 1000)
        return f"{thousands}천" + (str(rest) if rest else "")
    return str(group)


def _sino_group(group: int, write_one: bool) -> str:
    """이천오백 for 2500; 일 before 십/백/천 is dropped; a lone 1 before 만 only when write_one."""
    if group == 1:
        return "일" if write_one else ""
    out = []
    for size, name in ((1000, "천"), (100, "백"), (10, "십"), (1, "")):
        digit, group = divmod(group, size)
        if digit:
            out.append((_SINO_NAMES[digit] if digit > 1 or not name else "") + name)
    return "".join(out)


def _native(value: int) -> str:
    tens, ones = divmod(value, 10)
    if value == 20:
        return "스무"
    tens_word = next((w for w, v in NATIVE_TENS.items() if v == tens * 10), "")
    ones_word = next((w for w, v in NATIVE_ONES.items() if v == ones), "")
    return tens_word + ones_word
