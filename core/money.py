"""Money as integer fen, to and from the yuan text people read and type (never a float)."""

from __future__ import annotations

import re


def format_fen(value: int | None) -> str:
    """Integer fen → ``12.34`` (``-0.05`` for -5); empty for None."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    v = abs(int(value))
    return f"{sign}{v // 100}.{v % 100:02d}"


MAX_YUAN_DIGITS = 12  # up to 999,999,999,999.99 yuan: any real amount, and far inside a BIGINT of fen
_AMOUNT = re.compile(rf"([0-9]{{1,{MAX_YUAN_DIGITS}}})(?:\.([0-9]{{1,2}}))?")


def parse_yuan(text: str) -> int | None:
    """ "12.30" (or "¥1,012.3") → fen, with integers only; None when it is not an amount with at most two decimals.

    ASCII digits only: ``str.isdigit()`` takes "²" (then ``int()`` fails) and ``int()`` takes "١٢".
    """
    match = _AMOUNT.fullmatch(text.strip().replace("¥", "").replace(",", ""))
    if match is None:
        return None
    return int(match.group(1)) * 100 + int(((match.group(2) or "") + "00")[:2])
