"""What one chunk of mails needs from the synced billing copy: bills, their items, the month's calls; three plain-SQL reads.

Plain SQL through ``fetch_scoped`` (the tenant filled in centrally), because
the query builder's per-statement and per-row work was the largest part of a
100,000-mail batch on SQLite (bench/billmail.py: ~400 call rows a chunk of 50).
The reads use the ``(tenant, number, month)``, ``(tenant, bill_legacy_id)`` and
``(tenant, number, started_at)`` indexes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from core.api import Tenant
from core.api.db import fetch_scoped
from core.api.legacy import tenant_zone

UTC = dt.timezone.utc


def month_range(tenant: Tenant, month: str) -> tuple[dt.datetime, dt.datetime]:
    """The month's first instant and the next month's, in the tenant's zone."""
    year, mon = int(month[:4]), int(month[5:7])
    zone = tenant_zone(tenant)
    start = dt.datetime(year, mon, 1, tzinfo=zone)
    end = dt.datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=zone)
    return start, end


def _marks(count: int) -> str:
    return ", ".join(["{}"] * count)


def _moment(value) -> dt.datetime | None:
    """SQLite may hand back the stored text where its converter is not applied; PostgreSQL gives datetimes."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _day(value) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


async def load_chunk(tenant: Tenant, month: str, rows: list[dict]) -> tuple[dict, dict, dict]:
    """Bills by number, items by bill, calls by number for one chunk (current tenant): three statements whatever its size."""
    numbers = sorted({r["number"] for r in rows})
    bills: dict[str, dict] = {}
    for bill in await fetch_scoped(
        "SELECT legacy_id, number, month, amount_fen, paid_fen, status, due_date FROM core_bill"
        f" WHERE tenant = {{tenant}} AND month = {{}} AND number IN ({_marks(len(numbers))}) ORDER BY legacy_id",
        month,
        *numbers,
    ):
        bill["due_date"] = _day(bill["due_date"])
        bills.setdefault(bill["number"], bill)
    items: dict[str, list] = defaultdict(list)
    if bills:
        ids = [b["legacy_id"] for b in bills.values()]
        for item in await fetch_scoped(
            "SELECT bill_legacy_id, code, name, amount_fen FROM core_bill_item"
            f" WHERE tenant = {{tenant}} AND bill_legacy_id IN ({_marks(len(ids))}) ORDER BY position",
            *ids,
        ):
            items[item["bill_legacy_id"]].append(item)
    start, end = month_range(tenant, month)
    calls: dict[str, list] = defaultdict(list)
    for call in await fetch_scoped(
        "SELECT number, started_at, duration_s, called_number, call_type, charge_fen FROM core_call_record"
        f" WHERE tenant = {{tenant}} AND number IN ({_marks(len(numbers))}) AND started_at >= {{}} AND started_at < {{}}"
        " ORDER BY started_at",
        *numbers,
        start,
        end,
    ):
        call["started_at"] = _moment(call["started_at"])
        calls[call["number"]].append(call)
    return bills, items, calls
