"""Yuan text (Alipay's ``total_amount``) ⇄ integer fen, exactly: Decimal, never float, no sub-fen amounts."""

from __future__ import annotations

import re
from decimal import Decimal

from core.api import format_fen

_YUAN = re.compile(r"^(0|[1-9][0-9]{0,10})(\.[0-9]{1,2})?$")  # Alipay: at most 2 decimals, 0.01 … 100000000.00


def fen_to_yuan(fen: int) -> str:
    """1234 → "12.34" (what Alipay expects in total_amount / refund_amount): core.money's format, refusing what Alipay would."""
    if not isinstance(fen, int) or isinstance(fen, bool) or fen < 0:
        raise ValueError(f"amount must be a non-negative integer number of fen, got {fen!r}")
    return format_fen(fen)


def yuan_to_fen(text: str) -> int:
    """ "12.34" → 1234, stricter than core.money.parse_yuan (which takes what people type, "¥1,012.3"). Refuses anything that is not plain yuan text with at most two decimals ("1.005", "1e3", "-1", " 1")."""
    if not isinstance(text, str) or not _YUAN.match(text):
        raise ValueError(f"not an amount in yuan with at most two decimals: {text!r}")
    fen = Decimal(text) * 100
    if fen != fen.to_integral_value():  # unreachable with the pattern above; kept as the rule itself
        raise ValueError(f"amount {text!r} is not a whole number of fen")
    return int(fen)
