"""Korean quantity normaliser: numeric expressions to structured quantities (issue 3).

``parse_quantity(text)`` reads one expression (``2000억 개``, ``약 200명``, ``수백억원``) and
raises ``QuantityError`` for anything it cannot read; it never guesses. Numbers that are not amounts
(dates, ordinals, scores, age bands ...) raise its subclass ``NotAnAmountError``, whose ``kind``
says which. ``find_quantities(text)``
locates such expressions in running text for pre-annotation. The conventions (what counts as a
number, a unit, a bound, which spans the finder takes) are in ``quantity_conventions.md`` next to
this package; the guidelines copy them.

Bounds and which end is inclusive (``Quantity.low`` / ``Quantity.high``):

| written                                  | value | low       | high       | interval   |
|------------------------------------------|-------|-----------|------------|------------|
| 수백억 (수X)                              | None  | X         | 10X        | [low, high) |
| 6000억대, 10%대 (N대)                     | None  | N         | N + step   | [low, high) |
| 10~20% (A~B), 두세 곳                     | None  | A         | B          | [low, high] |
| 이상 / 최소 / 최저                        | None  | N         | None       | low inclusive |
| 초과                                      | None  | N         | None       | low exclusive |
| 이하 / 최대 / 최고                        | None  | None      | N          | high inclusive |
| 미만                                      | None  | None      | N          | high exclusive |
| 100여명, 남짓, 430여만명                  | None  | N         | None       | low inclusive, approximate |
| 조 단위                                   | None  | 10**12    | None       | low inclusive, approximate |
| 약 200명, 가량, 정도, 안팎, 내외, 쯤      | 200   | None      | None       | point, approximate |

Whole numbers come back as ``int`` (exact past 2**53), others as ``float``.

Offsets: for ``parse_quantity`` ``text`` is the input and ``start``/``end`` mark the number with
its unit inside it (``약 200명`` -> ``200명``); for ``find_quantities`` ``text`` is the proposed span,
modifiers included (``약 200명``), and ``start``/``end`` are its code-point offsets in the running text.
``kotechnews.quantity.spell.spell_number`` writes integers in each supported style (for generated checks).
"""

from kotechnews.lazy import lazy_attributes

__all__ = ["NotAnAmountError", "Quantity", "QuantityError", "find_quantities", "parse_quantity"]
__getattr__ = lazy_attributes(__name__, dict.fromkeys(__all__, "normalise"))
