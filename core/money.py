"""Money as integer fen, to and from the yuan text people read and type (never a float)."""

from __future__ import annotations


def format_fen(value: int | None) -> str:
    """Integer fen → ``12.34`` (``-0.05`` for -5); empty for None."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    v = abs(int(value))
    return f"{sign}{v // 100}.{v % 100:02d}"


def parse_yuan(text: str) -> int | None:
    """"12.30" (or "¥1,012.3") → fen, with integers only; None when it is not an amount with at most two decimals."""
    text = text.strip().replace("¥", "").replace(",", "")
    whole, _, part = text.partition(".")
    if not whole.isdigit() or (part and (not part.isdigit() or len(part) > 2)):
        return None
    return int(whole) * 100 + int((part + "00")[:2])
