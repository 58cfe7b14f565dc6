"""Money in any decimal unit of a legacy table, both ways: integer fen to the column's representation and back.

A format is ``<unit>_<form>``: the unit is ``li`` (厘, 1/10 fen), ``fen``,
``jiao`` (角, 10 fen) or ``yuan`` (元, 100 fen); the form is ``int`` (a whole
number in that unit), ``decimal`` (a numeric column, fractions allowed) or
``text`` (the number written as text). The four formats the bills mapping
has always known keep their names and meaning: ``fen_int``, ``jiao_int``,
``yuan_text`` and ``yuan`` (= ``yuan_decimal``); reading them goes through
:func:`plugins.sqlbss.billing_convert.to_fen`, so a payment row and a bill row
in the same format read alike.

Writing refuses an amount the format cannot hold exactly (¥0.05 into
``jiao_int``): a payment written off by a fraction is worse than an event that
waits with the reason.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from plugins.sqlbss.money import FORMATS, UNIT_FEN, unit_and_kind as split

UNITS = {unit: 1 / fen for unit, fen in UNIT_FEN.items()}  # how many of the unit one fen is: li 10 … yuan 0.01
_BILL_FORMATS = ("fen_int", "jiao_int", "yuan_text", "yuan")
PLACES = {"li": 0, "fen": 0, "jiao": 1, "yuan": 2}  # digits after the point that hold a whole fen (li: none needed)


def money_format(value: str) -> str:
    """Validate a money format name (for pydantic validators)."""
    if value not in FORMATS:
        raise ValueError(
            "must be <unit>_<form> with unit li, fen, jiao or yuan and form int, decimal or text "
            "(e.g. jiao_int, yuan_decimal, yuan_text), or yuan"
        )
    return value


def from_fen(fen: int, fmt: str) -> int | decimal.Decimal | str:
    """``fen`` in the column's representation; ValueError when the format cannot hold it exactly."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise ValueError(f"not a whole number of fen: {fen!r}")
    unit, form = split(fmt)
    amount = decimal.Decimal(fen) * UNITS[unit]
    if form == "int":
        if amount != amount.to_integral_value():
            raise ValueError(f"{fen} fen is not a whole number of {unit} (format {fmt})")
        return int(amount)
    amount = amount.quantize(decimal.Decimal(1).scaleb(-PLACES[unit]))
    return f"{amount:f}" if form == "text" else amount


def to_fen(raw: Any, fmt: str) -> int:
    """Integer fen from a legacy money value in ``fmt``; ValueError when it is not exactly that."""
    if fmt in _BILL_FORMATS:
        from plugins.sqlbss.billing_convert import to_fen as bills_to_fen  # it imports the mapping, which imports this

        return bills_to_fen(raw, fmt)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError("empty")
    if isinstance(raw, bool) or isinstance(raw, (dt.date, bytes)):
        raise ValueError(f"not an amount ({type(raw).__name__})")
    unit, form = split(fmt)
    if form == "text" and not isinstance(raw, str):
        raise ValueError(f"not text ({type(raw).__name__})")
    try:
        amount = decimal.Decimal(str(raw).strip().replace(",", ""))  # floats via str(): 12.34, not 12.339999
    except decimal.InvalidOperation:
        raise ValueError(f"not a number of {unit}") from None
    if not amount.is_finite():
        raise ValueError(f"not a number of {unit}")
    if form == "int" and amount != amount.to_integral_value():
        raise ValueError("not a whole number")
    fen = amount / UNITS[unit]
    if fen != fen.to_integral_value():
        raise ValueError("has fractions of a fen")
    return int(fen)
