"""Invoice numbers: per tenant, in sequence, with no gap and no duplicate, even when many are issued at once.

One counter row per (tenant, series), bumped by a single ``INSERT … ON CONFLICT
DO UPDATE … RETURNING``. Called inside the transaction that inserts the invoice:
the row stays locked until that transaction ends, so a concurrent issuer waits
for it, and a rolled-back invoice rolls its number back too (no gap).
"""

from __future__ import annotations

from core.api.db import fetch_scoped

_BUMP = (
    "INSERT INTO billpay_invoice_counter (tenant, series, value) VALUES ({tenant}, {}, 1) "
    "ON CONFLICT (tenant, series) DO UPDATE SET value = billpay_invoice_counter.value + 1 RETURNING value"
)
DIGITS = 10


async def next_value(series: str) -> int:
    """The next number of ``series`` for the current tenant (call it inside a transaction)."""
    rows = await fetch_scoped(_BUMP, series)
    return int(rows[0]["value"])


async def next_invoice_no(prefix: str) -> str:
    """``prefix`` and ten digits: FP0000000001, FP0000000002, … (invoices and red-letter notes share the series)."""
    return f"{prefix}{await next_value('invoice'):0{DIGITS}d}"
