"""Legacy money in any decimal unit -> integer fen: one vocabulary of formats, ``<unit>_<kind>``.

Units: ``li`` (厘, 0.1 fen), ``fen``, ``jiao`` (10 fen), ``yuan`` (100 fen).
Kinds: ``int`` (a whole number in that unit; digit text is accepted too),
``decimal`` (a number, or its text, possibly with decimals) and ``text`` (text
such as ``"12.34"``, thousands separators allowed). ``yuan`` alone is the older
name of ``yuan_decimal``. A REAL is read through its decimal text, so 0.1 yuan
is 10 fen, never 9.999.

Fractions of a fen: only the ``li`` formats may carry them, because that is
why a BSS keeps li (a call rated at 0.035 yuan a minute). They are rounded to
fen half to even (35 li -> 4 fen, 25 li -> 2 fen), per value; a bill's items
are then apportioned (:func:`apportion`) so that they still add up to the
bill's rounded amount. In every other unit a fraction of a fen means the format
is wrong (a li column read as yuan), so the value is refused and the row
quarantined, naming the key.
"""

from __future__ import annotations

import datetime as dt
import decimal
from functools import lru_cache
from typing import Any, Callable, Literal

UNIT_FEN = {
    "li": decimal.Decimal("0.1"),
    "fen": decimal.Decimal(1),
    "jiao": decimal.Decimal(10),
    "yuan": decimal.Decimal(100),
}
KINDS = ("int", "decimal", "text")
ALIASES = {"yuan": "yuan_decimal"}
MoneyFormat = Literal[
    "li_int", "li_decimal", "li_text",
    "fen_int", "fen_decimal", "fen_text",
    "jiao_int", "jiao_decimal", "jiao_text",
    "yuan_int", "yuan_decimal", "yuan_text",
    "yuan",
]  # fmt: skip
FORMATS = MoneyFormat.__args__
# Integer formats whose integer values convert by a multiplication (the call converter's short cut).
UNITS = {"fen_int": 1, "jiao_int": 10, "yuan_int": 100}


def unit_and_kind(fmt: str) -> tuple[str, str]:
    unit, _, kind = ALIASES.get(fmt, fmt).partition("_")
    return unit, kind


@lru_cache(maxsize=32)
def exact_converter(fmt: str) -> Callable[[Any], decimal.Decimal]:
    """``raw -> the amount in fen, exactly`` for ``fmt`` (a li value may leave a fraction); ValueError otherwise.

    Built once per format: call records convert by the million (bench/sync.py).
    """
    unit, kind = unit_and_kind(fmt)
    factor, Decimal, InvalidOperation = UNIT_FEN[unit], decimal.Decimal, decimal.InvalidOperation

    def exact(raw: Any) -> decimal.Decimal:
        if type(raw) is str:
            text = raw.strip()
            if not text:
                raise ValueError("empty")
            if kind != "int":
                text = text.replace(",", "")  # thousands separators
            elif not text.lstrip("-").isdigit():  # "120.00" in an integer column is yuan, not 12000 fen
                raise ValueError("not a whole number")
        elif kind == "text":
            raise ValueError(f"not text ({type(raw).__name__})")
        elif raw is None:
            raise ValueError("empty")
        elif isinstance(raw, (bool, dt.date, bytes)):
            raise ValueError(f"not an amount ({type(raw).__name__})")
        else:
            text = str(raw)  # floats go through str(): 12.34, not 12.339999
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"not a number of {unit}") from None
        if not value.is_finite():
            raise ValueError(f"not a number of {unit}")
        if kind == "int" and value != value.to_integral_value():
            raise ValueError("not a whole number")
        return value * factor

    return exact


def exact_fen(raw: Any, fmt: str) -> decimal.Decimal:
    return exact_converter(fmt)(raw)


def round_fen(exact: decimal.Decimal) -> int:
    return int(exact.to_integral_value(rounding=decimal.ROUND_HALF_EVEN))


@lru_cache(maxsize=32)
def converter(fmt: str) -> Callable[[Any], int]:
    """``raw -> integer fen`` for ``fmt``; ValueError when it is not exactly that (li: rounded half to even)."""
    exact, li = exact_converter(fmt), unit_and_kind(fmt)[0] == "li"

    def to_int(raw: Any) -> int:
        value = exact(raw)
        if value == value.to_integral_value():
            return int(value)
        if li:
            return round_fen(value)
        raise ValueError("has fractions of a fen")

    return to_int


def to_fen(raw: Any, fmt: str) -> int:
    """Integer fen from a legacy money value; ValueError when it is not exactly that (li: rounded half to even)."""
    return converter(fmt)(raw)


def apportion(exacts: list[decimal.Decimal], total: int) -> list[int]:
    """Whole fen for ``exacts`` that add up to ``total`` (largest remainders get the odd fen; ties go to the first)."""
    floors = [int(e.to_integral_value(rounding=decimal.ROUND_FLOOR)) for e in exacts]
    missing = total - sum(floors)
    if not 0 <= missing <= len(exacts):
        return [round_fen(e) for e in exacts]
    by_remainder = sorted(range(len(exacts)), key=lambda i: (-(exacts[i] - floors[i]), i))
    for i in by_remainder[:missing]:
        floors[i] += 1
    return floors


def parse_format(value: str) -> str:
    if value in FORMATS:
        return value
    raise ValueError(
        "must be <unit>_<kind>: unit li, fen, jiao or yuan; kind int, decimal or text (e.g. fen_int, li_int, yuan_text)"
    )
