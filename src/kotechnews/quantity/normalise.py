"""Grammar and arithmetic of the quantity normaliser; the conventions are in quantity_conventions.md.

One grammar, built twice from the same pieces: a strict one that must cover a whole expression
(``parse_quantity``) and a finder one for running text (``find_quantities``) that only knows
listed units, needs word boundaries and leaves dates out. Both hand their match to one evaluator.
Arithmetic is exact: ``int`` for whole numbers, ``Decimal`` while a decimal is involved; results
are ``int`` when whole (exact beyond 2**53) and ``float`` otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from kotechnews.errors import KoTechNewsError

Exact = int | Decimal | Fraction


class QuantityError(KoTechNewsError, ValueError):
    """An expression the normaliser cannot read; the message says what and where."""


class NotAnAmountError(QuantityError):
    """A number that is not an amount (a date, an ordinal, a score, an age band ...); ``kind`` says
    which, one of NOT_AMOUNT_KINDS."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Quantity:
    text: str
    value: float | None
    low: float | None
    high: float | None
    unit: str | None
    approximate: bool
    start: int
    end: int

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "approximate": self.approximate,
        }


# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------

SINO_DIGITS = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
SMALL_UNITS = {"십": 10, "백": 100, "천": 1000}
BIG_UNITS = {"만": 10**4, "억": 10**8, "조": 10**12, "경": 10**16}
# 'N대' right after these big units is a range (6000억대); after anything else bare it counts machines.
_RANGE_DAE_BIG_UNITS = {10**8, 10**12, 10**16}

NATIVE_ONES = {
    "한": 1,
    "두": 2,
    "세": 3,
    "네": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
}
NATIVE_TENS = {
    "열": 10,
    "스물": 20,
    "서른": 30,
    "마흔": 40,
    "쉰": 50,
    "예순": 60,
    "일흔": 70,
    "여든": 80,
    "아흔": 90,
}
NATIVE_RANGES = {
    "한두": (1, 2),
    "두세": (2, 3),
    "서너": (3, 4),
    "너덧": (4, 5),
    "네댓": (4, 5),
    "대여섯": (5, 6),
    "예닐곱": (6, 7),
}

# Spelling variants folded to one canonical unit; every other unit is kept as written.
UNIT_ALIASES = {
    "％": "%",
    "퍼센트": "%",
    "프로": "%",
    "%P": "%p",
    "％p": "%p",
    "%포인트": "%p",
    "퍼센트포인트": "%p",
    "달": "개월",
}
TIME_UNITS = frozenset({"년", "개월", "주", "일", "시간", "분", "초"})
COUNTERS = (
    "개",
    "명",
    "곳",
    "종",
    "종류",
    "위",
    "배",
    "건",
    "대",
    "가지",
    "사",
    "개국",
    "개사",
    "개소",
    "회",
    "차례",
    "편",
    "권",
    "장",
    "마리",
    "척",
    "팀",
    "가구",
    "세",
    "살",
    "점",
    "포인트",
    "쪽",
    "자",
    "글자",
    "단어",
    "문장",
    "토큰",
    "파라미터",
    "매개변수",
    "큐비트",
    "코어",
    "노드",
    "일자리",
    "군데",
    "사람",
    "번",
    "마디",
    "표",
    "골",
    "승",
    "패",
    "경기",
    "세트",
    "종목",
    "부작",
    "자리",
    "화소",
    "원",
    "달러",
    "엔",
    "위안",
    "유로",
    "파운드",
    "%",
    "%p",
    "년",
    "개월",
    "달",
    "주",
    "일",
    "시간",
    "분",
    "초",
    "바이트",
    "기가바이트",
    "테라바이트",
    "페타바이트",
    "테라플롭스",
    "페타플롭스",
    "나노미터",
    "KB",
    "MB",
    "GB",
    "TB",
    "PB",
    "EB",
    "Mbps",
    "Gbps",
    "MHz",
    "GHz",
    "nm",
    "km",
    "kW",
    "MW",
    "GW",
    "kWh",
    "MWh",
    "GWh",
    "FLOPS",
    "TFLOPS",
    "PFLOPS",
    "배럴",
    "톤",
    "인치",
    "m",
    "cm",
    "mm",
    "g",
    "kg",
    "미터",
    "킬로미터",
    "그램",
    "킬로그램",
)
# Units that make a number something other than an amount: parse_quantity refuses them with a
# NotAnAmountError of that kind, the finder skips them (quantity_conventions.md, 'not amounts').
NOT_AMOUNT_UNITS = {
    "월": "date",
    "분기": "date",
    "세기": "date",
    "년대": "date",
    "시": "date",
    "년도": "date",
    "번째": "ordinal",
    "차": "ordinal",
    "화": "ordinal",
    "호": "ordinal",
    "호선": "ordinal",
    "호점": "ordinal",
    "호기": "ordinal",
    "회차": "ordinal",
    "주년": "anniversary",
    "주기": "anniversary",
    "년생": "birth year",
    "세대": "generation",
    "원권": "banknote",
}
NOT_AMOUNT_KINDS = (*dict.fromkeys(NOT_AMOUNT_UNITS.values()), "score", "age band")
KNOWN_UNITS = frozenset(COUNTERS) | frozenset(UNIT_ALIASES) | frozenset(NOT_AMOUNT_UNITS)
# Counters that follow native numerals (한 개, 두 배, 세 곳); the finder takes native numerals only before these.
NATIVE_COUNTERS = (
    "개",
    "명",
    "곳",
    "배",
    "대",
    "가지",
    "차례",
    "달",
    "시간",
    "군데",
    "종류",
    "사람",
    "권",
    "장",
    "마리",
    "살",
    "개월",
    "주",
    "번",
    "마디",
    "표",
    "골",
    "경기",
    "세트",
    "종",
)
# A native numeral glued to a counter that makes a word: 세대 (generation), 열대 (tropics), 한대
# (frigid zone), 한마디 (a remark), 한번 (once, some time), 세종 (a name); 두대, 두 마디 count.
NATIVE_GLUED_WORDS = frozenset({"세대", "열대", "한대", "한마디", "한번", "세종"})
# Native day words: a count of days (이틀 = 2일); 하루이틀 is a range.
NATIVE_DAYS = {
    "하루": 1,
    "이틀": 2,
    "사흘": 3,
    "나흘": 4,
    "닷새": 5,
    "엿새": 6,
    "이레": 7,
    "여드레": 8,
    "아흐레": 9,
    "열흘": 10,
    "보름": 15,
}
NATIVE_DAY_RANGES = {"하루이틀": (1, 2)}
# A Hangul-only number (no digits, no 수) glued to its unit is read only before these: 구조자 is a
# rescuer, not 9조 + 자.
HANGUL_NUMBER_UNITS = frozenset(
    {
        "원",
        "달러",
        "엔",
        "위안",
        "유로",
        "명",
        "개",
        "곳",
        "건",
        "가구",
        "마리",
        "배",
        "년",
        "개월",
        "%",
    }
)
# A compound duration (2시간 40분) is read in its smaller unit: how many of it make the larger one.
TIME_RATIOS = {
    ("년", "개월"): 12,
    ("주", "일"): 7,
    ("일", "시간"): 24,
    ("일", "분"): 1440,
    ("시간", "분"): 60,
    ("시간", "초"): 3600,
    ("분", "초"): 60,
}

PREFIXES = {
    "약": "approx",
    "대략": "approx",
    "얼추": "approx",
    "최대": "upper",
    "최고": "upper",
    "최소": "lower",
    "최저": "lower",
    "총": None,
    "무려": None,
    "불과": None,
}
SUFFIXES = {
    "이상": "lower",
    "초과": "lower",
    "이하": "upper",
    "미만": "upper",
    "가량": "approx",
    "정도": "approx",
    "안팎": "approx",
    "내외": "approx",
    "쯤": "approx",
    "남짓": "more",
    "간": "time",
    "째": "time",
}


# ---------------------------------------------------------------------------------------------
# Grammar
# ---------------------------------------------------------------------------------------------


def _alternation(words) -> str:
    """A regex matching any of ``words``, longest first (개월 before 개, %p before %); a word ending
    in a Latin letter must end the Latin word (GB, not the G of 5G). Built as a trie, because
    Python's re tries the branches of a flat alternation one by one."""
    trie: dict = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict, last: str) -> str:
        branches = [
            re.escape(char) + build(child, char) for char, child in sorted(node.items()) if char
        ]
        end = "(?![A-Za-z0-9])" if last.isascii() and last.isalpha() else ""
        if not branches:
            return end
        choice = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" not in node:
            return choice
        return f"(?:{choice}|{end})" if end else f"(?:{choice})?"

    return "(?:" + build(trie, "") + ")"


# Atomic groups: a digit run is never re-split while the grammar backtracks (7x faster on 7024조 ...).
_DIGITS = r"(?>[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?>\.[0-9]+)?"
_SINO = "[" + "".join(SINO_DIGITS) + "]"
_COEF = rf"(?:{_DIGITS}|{_SINO}|수)"
_UNIT_CHAIN = rf"[십백천](?:(?:{_COEF})?[십백천])*(?:{_COEF})?"  # 천500, 천오백, 백
_SMALL_GROUP = rf"(?:(?:{_COEF})?{_UNIT_CHAIN})"  # a group with a small unit: 2천500, 오백
_GROUP = rf"(?:{_COEF}(?:{_UNIT_CHAIN})?|{_UNIT_CHAIN})"  # below 10000: 2500, 2천500, 천
_BIG = "[만억조경]"
_NATIVE = _alternation(
    list(NATIVE_RANGES)
    + list(NATIVE_ONES)
    + [t + o for t in NATIVE_TENS for o in NATIVE_ONES]
    + list(NATIVE_TENS)
    + ["스무"]
)
_NATIVE_DAY_WORD = _alternation(list(NATIVE_DAYS) + list(NATIVE_DAY_RANGES))
_KNOWN = _alternation(KNOWN_UNITS)
_SUFFIX = _alternation(SUFFIXES)
_PREFIX = _alternation(PREFIXES)
# What may follow a unit or a suffix in running text: no letter, or a particle / modifier.
_AFTER_WORD = (
    "(?=[^가-힣A-Za-z]|$|"
    + _alternation(["초과", "미만", "정도", "안팎", "남짓", "보다", "마다", "동안", "짜리", "어치"])
    + "|[이가을를의에은는도와과로으만씩까부인여대간째쯤뿐밖나라다였입후전뒤내중께당때꼴])"
)


def _number(finder: bool) -> str:
    if finder:
        # Starts with a digit, or a sino digit / 수 directly before a unit character (삼천, 수백억):
        # keeps 이번, 삼성, 천명(闡明), 만(only) out. A spaced trailing group needs a unit character,
        # or bare digits right after 만 (1만 5000원), so that '100억 2022년' stays two numbers.
        start = rf"(?=[0-9]|(?:{_SINO}|수)[십백천만억조경]|[십백천][만억조경])"
        tail = rf"(?:{_GROUP}| {_SMALL_GROUP}|(?<=만) {_DIGITS})?"
    else:
        start = rf"(?=[0-9]|(?:{_SINO}|수)?[십백천만억조경])"
        tail = rf"(?:{_GROUP}| (?:{_DIGITS}(?:{_UNIT_CHAIN})?|{_SMALL_GROUP}))?"  # 10만 일자리: 일 is no group
    # 여 may stand before a big unit (430여만명); _read_amount lets it stand before the last one only.
    return rf"{start}(?:(?:{_GROUP}여?)?{_BIG}(?: ?{_GROUP}여?{_BIG})*{tail}|{_GROUP})"


# parse_quantity only: a word that is not a listed unit, a modifier or a number, kept as written.
_GENERIC_WORD = rf"(?!{_KNOWN}|{_SUFFIX}|[만억조경]|여(?![가-힣]))[가-힣A-Za-z]+"


def _not_shortened(words) -> str:
    """A lookahead refusing a shorter unit where one of ``words`` stands: 년대 must not be read as
    년 + 대, nor 분기 as 분. Longer listed units are let through (시간 is not 시)."""
    parts = []
    for word in words:
        longer = [
            unit[len(word) :] for unit in KNOWN_UNITS if unit.startswith(word) and unit not in words
        ]
        parts.append(re.escape(word) + (f"(?!{_alternation(longer)})" if longer else ""))
    return "(?!" + "|".join(parts) + ")"


_NOT_DATE_PREFIX = _not_shortened(set(NOT_AMOUNT_UNITS))


def _unit(tag: str, finder: bool) -> str:
    if finder:  # a date unit is skipped whole, never read through a shorter unit
        return rf"(?: ?{_NOT_DATE_PREFIX}(?P<{tag}unit>{_KNOWN}){_AFTER_WORD})"
    # An unlisted word glued to a big unit is no unit: 6경기 is 6 경기, not 6경 + 기.
    return rf"(?: ?(?P<{tag}unit>{_KNOWN}|(?<![만억조경]){_GENERIC_WORD}))"


def _amount(tag: str, finder: bool) -> str:
    native_guard = rf"(?= ?{_alternation(NATIVE_COUNTERS)})" if finder else ""
    return (
        rf"(?:(?P<{tag}scaled>(?P<{tag}scale>수?[십백천]?{_BIG}) ?단위)"
        rf"|(?P<{tag}den>[0-9]+) ?분의 ?(?P<{tag}numer>{_DIGITS})"
        rf"|(?P<{tag}days>{_NATIVE_DAY_WORD})"
        rf"|(?P<{tag}native>{_NATIVE}){native_guard}"
        rf"|(?P<{tag}num>{_number(finder)}))"
        rf"(?P<{tag}mod1>여|대)?{_unit(tag, finder)}?(?P<{tag}mod2>여|대)?"
    )


def _expression(finder: bool) -> str:
    after = _AFTER_WORD if finder else ""
    bound_or_approx = _alternation(w for w, kind in SUFFIXES.items() if kind != "time")
    smaller_time_unit = _alternation({smaller for _, smaller in TIME_RATIOS})
    return (
        # In running text a number starts a word, or is glued to a Hangul word other than 제 (평점10점).
        (r"(?:(?<![\w.,\-−+:/@$])|(?<=[가-힣])(?<!제)(?=[0-9]))" if finder else "")
        + rf"(?P<prefix>(?:{_PREFIX} ?)*)"
        + r"(?:(?P<sign>[+\-−])(?=[0-9]))?(?P<dollar>\$ ?)?"
        + _amount("a_", finder)
        # the smaller part of a compound duration (2시간 40분), right after a unit of time
        + rf"(?:(?<=[년월주일간분]) (?P<c_num>{_DIGITS}) ?(?P<c_unit>{smaller_time_unit}){after})?"
        + rf"(?:(?P<sep> ?[~∼〜～] ?|[\-–])(?=[0-9]){_amount('b_', finder)})?"
        + rf"(?P<gloss>\([^()0-9]{{1,20}}\)(?= ?{bound_or_approx}))?"
        + rf"(?: ?(?P<suf1>{_SUFFIX}){after})?(?: ?(?P<suf2>{_SUFFIX}){after})?"
        # the finder's match ends a word; parse_quantity allows a counted noun after a counter
        + (_AFTER_WORD if finder else r"(?: (?P<noun>(?![여만](?![가-힣]))[가-힣A-Za-z]+))?")
    )


_PARSE_RE = re.compile(_expression(finder=False))
_FIND_RE = re.compile(_expression(finder=True))
_TOKEN_RE = re.compile(
    r"([0-9][0-9,]*(?:\.[0-9]+)?)|([일이삼사오육칠팔구수])|([십백천])|([만억조경])"
)
_PLAIN_NUMBER_RE = re.compile(_DIGITS)
_SCALED_END_RE = re.compile(rf"({_DIGITS})([십백천]?[만억조경]|[십백천])")
_MORE_BEFORE_LAST_BIG_RE = re.compile("^[^여]*여[만억조경]$")


# ---------------------------------------------------------------------------------------------
# Arithmetic
# ---------------------------------------------------------------------------------------------

_MAX_DIGITS = (
    24  # 10^24 is far past any amount in the news (1경 = 10^16) and still exact as float input
)


def _digits(token: str) -> Exact:
    token = token.replace(",", "")
    if len(token.partition(".")[0]) > _MAX_DIGITS:
        raise QuantityError(f"{token[:12]}... has more than {_MAX_DIGITS} digits")
    return Decimal(token) if "." in token else int(token)


def _sino_number(text: str, vague: int) -> tuple[Exact, int | None]:
    """Value of a digit / Sino-Korean number, 수 read as ``vague``; also the last big unit used.

    The spelling checks run on the reading with 수 = 1; 수 = 10 only computes the open upper end.
    """
    check = vague == 1
    total: Exact = 0
    section: Exact = 0
    coef: Exact | None = None
    last_small = 10**4
    last_big: int | None = None
    # The grammar has checked the shape; spaces between groups are skipped by findall.
    for digits, sino, small, big in _TOKEN_RE.findall(text):
        if big:
            unit = BIG_UNITS[big]
            if last_big is not None and unit >= last_big:
                raise QuantityError(f"{big!r} out of order in {text!r}")
            part = section + (coef or 0)
            if coef is None and not section:
                if last_big is not None:
                    raise QuantityError(f"{big!r} without a number in {text!r}")
                part = 1  # 만 명, 억 원: a bare big unit counts one
            elif check and last_big is not None and part >= 10**4:
                raise QuantityError(f"group {part} before {big!r} in {text!r} must be below 10000")
            total += part * unit
            section, coef, last_small, last_big = 0, None, 10**4, unit
        elif small:
            unit = SMALL_UNITS[small]
            if unit >= last_small:
                raise QuantityError(f"{small!r} out of order in {text!r}")
            if check and coef is not None and not (isinstance(coef, int) and 1 <= coef <= 9):
                raise QuantityError(f"{coef} before {small!r} in {text!r}: write a single digit")
            section += (1 if coef is None else coef) * unit
            coef, last_small = None, unit
        else:  # a coefficient: digits, a sino digit, or 수
            if coef is not None:
                raise QuantityError(f"two numbers in a row in {text!r}")
            coef = _digits(digits) if digits else vague if sino == "수" else SINO_DIGITS[sino]
            if check and section and coef >= last_small:
                raise QuantityError(
                    f"{digits or sino!r} after {last_small:,} in {text!r} is too large"
                )
    part = section + (coef or 0)
    if check and last_big is not None and part >= 10**4:
        raise QuantityError(f"last group {part} in {text!r} must be below 10000")
    return total + part, last_big


def _step(value: Exact) -> Exact:
    """Place value of the lowest non-zero digit: the width of 'N대' (6000억대 -> 1000억)."""
    if value == 0:
        return 1
    if isinstance(value, int):
        step = 1
        while value % (step * 10) == 0:
            step *= 10
        return step
    return Decimal(1).scaleb(Decimal(value).normalize().as_tuple().exponent)


def _export(number: Exact | None) -> float | None:
    if number is None or isinstance(number, int):
        return number
    if number == int(number):
        return int(number)
    return float(number)


# ---------------------------------------------------------------------------------------------
# Evaluation of a match
# ---------------------------------------------------------------------------------------------


@dataclass
class _Amount:
    value: Exact | None = None
    low: Exact | None = None
    high: Exact | None = None  # exclusive for vague amounts, inclusive for ranges
    unit: str | None = None
    approximate: bool = False
    plain: bool = True  # a point value written without 수, 여, 대
    has_big: bool = False  # uses 만/억/조/경
    arabic: bool = False  # written with arabic digits
    last_big: int | None = None
    number_text: str = ""
    end: int = 0  # where the amount ends in the matched text
    glued_dae: bool = False  # 대 read as the counter, written right after the number (50대)


# Group numbers (0-based, as in Match.groups()); both grammars number their groups alike, the
# finder's just lacks the trailing 'noun'. Tuple indexing keeps parse_quantity fast.
_G = {name: number - 1 for name, number in _PARSE_RE.groupindex.items()}
assert all(_G[name] == number - 1 for name, number in _FIND_RE.groupindex.items())
_AMOUNT_PARTS = ("num", "scale", "den", "numer", "native", "days", "unit", "mod1", "mod2")
_KEYS = {tag: tuple(_G[tag + part] for part in _AMOUNT_PARTS) for tag in ("a_", "b_")}
# Where an amount ends: its last group present, read from the end.
_END_ORDER = {
    tag: tuple(
        _G[tag + part]
        for part in ("mod2", "unit", "mod1", "num", "native", "days", "numer", "scaled")
    )
    for tag in ("a_", "b_")
}
_ARABIC_RE = re.compile("[0-9]")


def _read_amount(m: re.Match, d: tuple, tag: str) -> _Amount:
    num_i, scale_i, den_i, numer_i, native_i, days_i, unit_i, mod1_i, mod2_i = _KEYS[tag]
    amount = _Amount()
    unit = d[unit_i]
    if (num := d[num_i]) is not None:
        amount.number_text = num
        amount.arabic = _ARABIC_RE.search(num) is not None
        more = "여" in num
        if more:  # 430여만: more than 430만; only before the last big unit
            if not _MORE_BEFORE_LAST_BIG_RE.search(num):
                raise QuantityError(
                    f"'여' in {num!r} must stand before the last big unit (430여만)"
                )
            num = num.replace("여", "")
        if _PLAIN_NUMBER_RE.fullmatch(num):
            amount.value = _digits(num)
        else:
            low, amount.last_big = _sino_number(num, 1)
            amount.has_big = amount.last_big is not None
            if "수" in num:
                amount.low, amount.high = low, _sino_number(num, 10)[0]
                amount.approximate, amount.plain = True, False
            else:
                amount.value = low
        if more:
            _apply_amount_modifier(amount, "여", after_unit=False)
        if not (amount.arabic or "수" in num):
            _check_hangul_number(m, d, tag, num)
    elif (scale := d[scale_i]) is not None:
        amount.low = _sino_number(scale.lstrip("수"), 1)[0]
        amount.approximate, amount.plain, amount.has_big = True, False, True
    elif (den := d[den_i]) is not None:
        if not _digits(den):
            raise QuantityError(f"'{den}분의': a fraction of zero parts")
        if d[mod1_i] or d[mod2_i]:
            raise QuantityError("a fraction (N분의 M) takes no 여 or 대")
        amount.value = Fraction(_digits(d[numer_i])) / _digits(den)
        amount.arabic = True
    elif (word := d[days_i]) is not None:
        if word in NATIVE_DAY_RANGES:
            amount.low, amount.high = NATIVE_DAY_RANGES[word]
            amount.approximate, amount.plain = True, False
        else:
            amount.value = NATIVE_DAYS[word]
        if unit is not None:
            raise QuantityError(f"the day word {word!r} takes no unit after it")
        unit = "일"
    else:
        word = d[native_i]
        if word in NATIVE_RANGES:
            amount.low, amount.high = NATIVE_RANGES[word]
            amount.approximate, amount.plain = True, False
        else:
            amount.value = _native_value(word)
    if unit is not None:
        amount.unit = UNIT_ALIASES.get(unit, unit)
        if d[native_i] is not None and m.start(1 + unit_i) == m.end(1 + native_i):
            _refuse_glued_word(d[native_i], unit)
    for index in _END_ORDER[tag]:
        if d[index] is not None:
            amount.end = m.end(1 + index)
            break
    if (mod := d[mod1_i]) is not None:
        if d[native_i] is not None:  # 대 right after the numeral
            _refuse_glued_word(d[native_i], mod)
        if _apply_amount_modifier(amount, mod, after_unit=False) == "counter":
            if d[mod2_i] is not None:
                raise QuantityError(f"cannot read {d[mod2_i]!r} after the counter '대'")
            amount.end = m.end(1 + mod1_i)  # '100대 기업': the word after the counter is not in it
            amount.glued_dae = True
    if (mod := d[mod2_i]) is not None:  # after a unit (100만원대, 3년여), or after 여 (10여대)
        _apply_amount_modifier(amount, mod, after_unit=unit is not None)
    if d[native_i] is not None and amount.unit is None:
        raise QuantityError(
            f"native numeral {d[native_i]!r} needs a counter after it (두 개, 세 곳)"
        )
    return amount


def _refuse_glued_word(numeral: str, counter: str) -> None:
    if numeral + counter in NATIVE_GLUED_WORDS:
        raise QuantityError(
            f"{numeral + counter!r} is a word; write '{numeral} {counter}' for a count"
        )


def _check_hangul_number(m: re.Match, d: tuple, tag: str, num: str) -> None:
    """A Hangul-only number glued to what follows may be part of a word: 구조자 (a rescuer), 구조대원,
    오만한. One of two syllables or fewer (구조, 이천) needs a space before its unit or a unit money,
    people or things are counted in (이천 명, 삼천원); a digit and a big unit alone (구조, 오만)
    take no 대 or 여."""
    num_i, *_, unit_i, mod1_i, _ = _KEYS[tag]
    unit = d[unit_i]
    spaced = unit is not None and " " in m.string[m.end(1 + num_i) : m.start(1 + unit_i)]
    if len(num) == 2 and num[0] in SINO_DIGITS and num[1] in BIG_UNITS and d[mod1_i] is not None:
        raise QuantityError(
            f"{m.group(0).strip()!r}: the Hangul number {num!r} glued to what follows "
            f"may be part of a word (구조대원, 오만한); write digits or a space"
        )
    if (
        len(num) <= 2
        and unit is not None
        and not spaced
        and UNIT_ALIASES.get(unit, unit) not in HANGUL_NUMBER_UNITS
    ):
        raise QuantityError(
            f"the Hangul number {num!r} glued to {unit!r} may be a word "
            f"(구조자, 오만한): write digits or a space"
        )


def _native_value(word: str) -> int:
    if word in NATIVE_ONES:
        return NATIVE_ONES[word]
    if word == "스무":
        return 20
    tens = next(t for t in NATIVE_TENS if word.startswith(t))
    return NATIVE_TENS[tens] + NATIVE_ONES.get(word[len(tens) :], 0)


def _apply_amount_modifier(amount: _Amount, mod: str, after_unit: bool) -> str:
    """Apply 여 or 대 to ``amount``; return how it was read: 'more', 'range' or 'counter'."""
    if mod == "여":  # 100여명: more than 100; 수십여 개 stays an interval
        if amount.plain:
            amount.low, amount.value = amount.value, None
        elif amount.high is None:
            raise QuantityError("'여' cannot follow an amount that is already a bound")
        amount.approximate, amount.plain = True, False
        return "more"
    # 대: a range one step wide (6000억대, 10%대, 100만원대), or the counter for machines (3대, 100만대,
    # 10여대).
    if not (after_unit or amount.last_big in _RANGE_DAE_BIG_UNITS):
        amount.unit = "대"
        return "counter"
    if not amount.plain:
        raise QuantityError("'대' cannot follow a vague or ranged amount")
    amount.low, amount.high = amount.value, amount.value + _step(amount.value)
    amount.value, amount.approximate, amount.plain = None, True, False
    return "range"


def _combine_range(a: _Amount, b: _Amount, text: str) -> _Amount:
    if not (a.plain and b.plain):
        raise QuantityError(f"both ends of the range {text!r} must be plain numbers")
    if a.unit is not None and b.unit is not None and a.unit != b.unit:
        raise QuantityError(f"the range {text!r} mixes units {a.unit!r} and {b.unit!r}")
    if a.unit is not None and b.unit is None:
        raise QuantityError(f"the range {text!r} gives a unit for its start only")
    low = a.value
    scaled = _SCALED_END_RE.fullmatch(b.number_text) if b.number_text else None
    if scaled and a.number_text and _PLAIN_NUMBER_RE.fullmatch(a.number_text):
        low = (
            a.value * _sino_number(scaled.group(2), 1)[0]
        )  # 2~3억 원: the start shares the end's scale
    if low > b.value:
        raise QuantityError(f"the range {text!r} starts above its end")
    return _Amount(
        low=low,
        high=b.value,
        unit=b.unit,
        plain=False,
        has_big=a.has_big or b.has_big,
        arabic=a.arabic or b.arabic,
        end=b.end,
        glued_dae=b.glued_dae,
    )


def _add_smaller_time_part(a: _Amount, number: str, unit: str, end: int) -> _Amount:
    """2시간 40분 -> 160분: a compound duration in its smaller unit."""
    ratio = TIME_RATIOS.get((a.unit, unit))
    if ratio is None:
        raise QuantityError(f"'{a.unit}' and '{unit}' have no fixed ratio: not one duration")
    if not a.plain or (a.unit == "년" and _year_like(a.value)):
        raise QuantityError(f"a compound duration needs a plain number of {a.unit!r} first")
    return _Amount(
        value=a.value * ratio + _digits(number), unit=unit, has_big=a.has_big, arabic=True, end=end
    )


def _age_band(amount: _Amount) -> bool:
    """50대, 20~30대: a round ten glued to 대 may count people of that age, or machines."""
    ends = [amount.value] if amount.plain else [amount.low, amount.high]
    return all(isinstance(n, int) and n in _AGE_BANDS for n in ends)


_AGE_BANDS = frozenset(range(10, 100, 10))


@dataclass
class _Reading:
    quantity: Quantity  # start/end: the number with its unit, in the matched text
    end: int  # end of the whole accepted expression (modifiers included) in the matched text
    amount: _Amount


_PREFIX_RE = re.compile(_PREFIX)


_SIGN, _DOLLAR, _PREFIX_GROUP, _SEP, _A_UNIT, _B_UNIT, _C_NUM, _C_UNIT = (
    _G[name] for name in ("sign", "dollar", "prefix", "sep", "a_unit", "b_unit", "c_num", "c_unit")
)
_SUFFIX_GROUPS = (_G["suf1"], _G["suf2"])
_CORE_STARTS = tuple(
    _G[name] for name in ("sign", "dollar", "a_scaled", "a_den", "a_days", "a_native", "a_num")
)


def _evaluate(m: re.Match, text: str, strict: bool) -> _Reading:
    """Turn a grammar match into a Quantity; strict (parse) mode refuses what the finder would trim."""
    d = m.groups()
    a = _read_amount(m, d, "a_")
    if d[_C_NUM] is not None:
        a = _add_smaller_time_part(a, d[_C_NUM], d[_C_UNIT], m.end(1 + _C_UNIT))
    amount = _combine_range(a, _read_amount(m, d, "b_"), m.group(0)) if d[_SEP] else a
    if amount.glued_dae and _age_band(amount):
        raise NotAnAmountError(
            "age band",
            f"{m.group(0).strip()!r} may be an age band (50대 남성) or a "
            f"number of machines (차량 50대): annotate it by hand",
        )
    core_start = m.start(1 + next(index for index in _CORE_STARTS if d[index] is not None))
    core_end = end = amount.end

    if d[_DOLLAR]:
        if amount.unit is not None:
            raise QuantityError(f"'$' and the unit {amount.unit!r} both given")
        amount.unit = "달러"
    if d[_SIGN]:
        if not amount.plain:
            raise QuantityError("a sign (+/-) only goes with a single plain number")
        if d[_SIGN] != "+":
            amount.value = -amount.value

    prefix = d[_PREFIX_GROUP]
    markers = [PREFIXES[word] for word in _PREFIX_RE.findall(prefix)] if prefix else []
    for group in _SUFFIX_GROUPS:
        word = d[group]
        if word is None:
            continue
        if SUFFIXES[word] == "time" and amount.unit not in TIME_UNITS:
            if strict:
                raise QuantityError(
                    f"{word!r} only follows a unit of time (3년간), not {amount.unit!r}"
                )
            break  # the finder leaves '3명 간' out of the span
        markers.append(SUFFIXES[word])
        end = m.end(
            1 + group
        )  # a gloss before the suffix (2000억 파라미터(매개변수) 이상) is inside

    if (
        strict
        and (noun := m.group("noun"))
        and not (amount.unit == "대" or (d[_B_UNIT] or d[_A_UNIT]) in KNOWN_UNITS)
    ):
        raise QuantityError(f"cannot read {noun!r} after {m.group(0)[: m.start('noun')].strip()!r}")

    value, low, high, approximate = amount.value, amount.low, amount.high, amount.approximate
    if "approx" in markers:
        approximate = True
    if "more" in markers:  # 남짓: a little more than N
        if not amount.plain:
            raise QuantityError("'남짓' only follows a plain number")
        value, low, approximate = None, value, True
    if "lower" in markers and "upper" in markers:
        raise QuantityError("both a lower and an upper bound marker")
    if "lower" in markers:
        low = low if value is None else value
        value, high = None, None
    elif "upper" in markers:
        if value is None and high is None:
            raise QuantityError("an upper bound marker on an amount that has only a lower bound")
        high = high if value is None else value
        value, low = None, None

    quantity = Quantity(
        text=text,
        value=_export(value),
        low=_export(low),
        high=_export(high),
        unit=amount.unit,
        approximate=approximate,
        start=core_start,
        end=core_end,
    )
    return _Reading(quantity, end, amount)


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def parse_quantity(text: str) -> Quantity:
    """Read one Korean numeric expression; raise QuantityError for anything it cannot read."""
    if not isinstance(text, str):
        raise QuantityError(f"expected a string, got {type(text).__name__}")
    body = text.strip()
    if not body:
        raise QuantityError("empty expression")
    offset = len(text) - len(text.lstrip())
    if ("-" in body or "대" in body) and _SCORE_RE.fullmatch(body):
        raise NotAnAmountError(
            "score",
            f"{body!r} is a score or a ratio (4-3, 1대 100), not an amount; "
            f"a range takes a unit (2-3개) or '~'",
        )
    if body[0] == "제" and _ORDINAL_JE_RE.match(body):
        raise NotAnAmountError("ordinal", f"{body!r} is an ordinal (제3회), not an amount")
    m = _PARSE_RE.fullmatch(body)
    if m is None:
        partial = _PARSE_RE.match(body)
        if partial is None or not partial.group(0):
            raise QuantityError(f"no number at the start of {body!r}")
        raise QuantityError(f"cannot read {body[partial.end() :]!r} after {partial.group(0)!r}")
    reading = _evaluate(m, text, strict=True)
    kind = _unit_kind(reading.amount)
    if kind is not None:
        raise NotAnAmountError(kind, f"{body!r} is {_KIND_NAMES[kind]}, not an amount")
    return _shift(reading.quantity, offset)


# A hyphen between two bare numbers, or 대 between two numbers: a score or a ratio.
_SCORE_RE = re.compile(r"[0-9]+(?:-[0-9]+| ?대 ?[0-9]+)")
_ORDINAL_JE_RE = re.compile(rf"제 ?(?:[0-9]|{_SINO}|{_NATIVE})")
_KIND_NAMES = {
    "date": "a date or a clock time",
    "ordinal": "an ordinal",
    "anniversary": "an anniversary",
    "birth year": "a birth year",
    "generation": "a generation",
    "banknote": "a banknote name",
}


def _unit_kind(amount: _Amount) -> str | None:
    """What the unit makes the number, when not an amount: a date (2020년, '04년' too), an ordinal ..."""
    if (
        amount.unit == "년"
        and amount.plain
        and (
            (amount.number_text[:1] == "0" and len(amount.number_text) == 2)
            or (_PLAIN_NUMBER_RE.fullmatch(amount.number_text) and _year_like(amount.value))
        )
    ):
        return "date"
    return NOT_AMOUNT_UNITS.get(amount.unit)


def _year_like(number: Exact | float) -> bool:
    return 1900 <= number <= 2100


def _shift(q: Quantity, offset: int) -> Quantity:
    if not offset:
        return q
    return Quantity(
        q.text, q.value, q.low, q.high, q.unit, q.approximate, q.start + offset, q.end + offset
    )


_MONTH_AFTER_RE = re.compile(r" ?[0-9]{1,2} ?월")
_DURATION_AFTER_RE = re.compile(r" ?(?:동안|만에|안에|이내|사이|넘게|가까이|역사)")
_DAY_COUNT_AFTER_RE = re.compile(r" ?(?:동안|만에|이내)")
_HOUR_BEFORE_RE = re.compile(r"[0-9] ?시 ?$")
_SCORE_AFTER_RE = re.compile(r" ?[0-9]")


def _not_offered(reading: _Reading, text: str, start: int, end: int) -> bool:
    """Whether the finder leaves a reading out: not an amount, or, in its context, a date."""
    amount = reading.amount
    unit = amount.unit
    if _unit_kind(amount) is not None:
        return True
    if unit == "대" and _SCORE_AFTER_RE.match(text, reading.quantity.end):
        return True  # 1대 100, 4대1: a score
    if unit == "년":
        first = (
            reading.quantity.value if reading.quantity.value is not None else reading.quantity.low
        )
        if (isinstance(first, int) and _year_like(first)) or _MONTH_AFTER_RE.match(text, end):
            return True
        is_duration = (
            text[start:end].endswith(("간", "째", "여"))
            or reading.quantity.value is None
            or _DURATION_AFTER_RE.match(text, end)
        )
        two_digit_year = isinstance(first, int) and 50 <= first <= 99
        apostrophe_year = start > 0 and text[start - 1] in "'’‘"
        return (two_digit_year or apostrophe_year) and not is_duration
    if unit == "일":  # 24일 안에 may be 'by the 24th': only these markers make N일 a count of days
        return not (text[start:end].endswith(("간", "째")) or _DAY_COUNT_AFTER_RE.match(text, end))
    if unit == "분":
        return bool(_HOUR_BEFORE_RE.search(text, 0, start))
    return False


NEUTRAL_PREFIXES = tuple(word for word, effect in PREFIXES.items() if effect is None)


def _skip_neutral_prefix(text: str, start: int, number_start: int) -> int:
    """Leave out a leading word that changes nothing (총, 무려, 불과): guidelines Q1 keep it outside."""
    for word in NEUTRAL_PREFIXES:
        if text.startswith(word, start):
            rest = start + len(word)
            while rest < number_start and text[rest].isspace():
                rest += 1
            return rest
    return start


def find_quantities(text: str) -> list[Quantity]:
    """Quantity expressions in running text, with start/end into ``text`` (modifiers included)."""
    found = []
    for m in _FIND_RE.finditer(text):
        try:
            reading = _evaluate(m, m.group(0), strict=False)
        except QuantityError:
            continue
        amount = reading.amount
        start, end = m.start(), reading.end
        explicit = m.group("a_den") or m.group("a_scale") or (amount.has_big and amount.arabic)
        if amount.unit is None and not explicit:
            continue  # bare digits (identifiers, years, codes, ticker prices) and Hangul-only words
        if _not_offered(reading, text, start, end):
            continue
        start = _skip_neutral_prefix(text, start, reading.quantity.start)
        q = reading.quantity
        found.append(
            Quantity(text[start:end], q.value, q.low, q.high, q.unit, q.approximate, start, end)
        )
    return found
