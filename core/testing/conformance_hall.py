"""Syncing a connector into a real hall for the conformance kit: the sync as production runs it, a crash at every page, a snapshot.

A snapshot is what a tenant's hall holds after a sync - customers, numbers,
billing accounts, bills with items, call records, open quarantine rows, watermarks - without
the columns that only say when it was written (``synced_at``, ids). Two runs
that leave equal snapshots are indistinguishable to the portal and console.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Awaitable, Callable

from core.auth.tables import BillingAccount, Customer, ServiceNumber
from core.legacy.billing_sync import source_function, sync_billing, upsert_bills, upsert_calls
from core.legacy.billing_tables import Bill, BillItem, CallRecord, Quarantine
from core.legacy.customer_sync import sync_customers
from core.legacy.sync_engine import sync_kind
from core.legacy.tables import SyncState
from core.tenancy import Tenant, tenant_scope


class Interrupted(RuntimeError):
    """Raised on purpose by the kit to cut a sync short (a crash, as far as the sync can tell)."""


SNAPSHOT = {
    "customers": (Customer, ("legacy_id", "name", "id_hash", "id_masked", "email", "phone", "address", "status")),
    "numbers": (ServiceNumber, ("number", "customer_legacy_id", "kind", "status", "account_legacy_id")),
    "accounts": (BillingAccount, ("legacy_id", "customer_legacy_id", "name", "billing", "status")),
    "bills": (
        Bill,
        (
            "legacy_id",
            "number",
            "month",
            "amount_fen",
            "paid_fen",
            "status",
            "due_date",
            "changed_at",
            "account_legacy_id",
        ),
    ),
    "bill_items": (BillItem, ("legacy_id", "bill_legacy_id", "position", "code", "name", "amount_fen", "number")),
    "calls": (
        CallRecord,
        ("legacy_id", "number", "started_at", "duration_s", "called_number", "call_type", "charge_fen"),
    ),
}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):  # the same instant whatever zone the database hands it back in
        return value.astimezone(dt.timezone.utc).isoformat() if value.tzinfo else value.isoformat()
    return value


async def snapshot(tenant: Tenant) -> dict[str, list[tuple]]:
    """Everything the sync wrote for ``tenant``, sorted, comparable with ``==``."""
    shot: dict[str, list[tuple]] = {}
    with tenant_scope(tenant):
        for name, (table, columns) in SNAPSHOT.items():
            rows = await table.select(*(getattr(table, c) for c in columns))
            shot[name] = sorted(tuple(_plain(r[c]) for c in columns) for r in rows)
        open_rows = await Quarantine.select(
            Quarantine.kind, Quarantine.legacy_id, Quarantine.reason, Quarantine.attempts
        ).where(Quarantine.resolved_at.is_null())
        shot["quarantine"] = sorted((r["kind"], r["legacy_id"], r["reason"], r["attempts"]) for r in open_rows)
        states = await SyncState.select(SyncState.kind, SyncState.watermark)
        shot["watermarks"] = sorted((r["kind"], r["watermark"]) for r in states)
    return shot


def counts(shot: dict[str, list]) -> dict[str, int]:
    return {name: len(rows) for name, rows in shot.items()}


async def sync_all(
    tenant: Tenant, connector: Any, kinds: list[str], secret: str, *, batch_size: int, full: bool = False
) -> dict[str, int]:
    """The production entry points (``sync_customers``, ``sync_billing``); rows written per kind."""
    written = {}
    for kind in kinds:
        if kind == "customers":
            written[kind] = (
                await sync_customers(tenant, connector, secret=secret, batch_size=batch_size, full=full)
            ).written
        else:
            written[kind] = (await sync_billing(tenant, connector, kind, batch_size=batch_size, full=full)).written
    return written


class _CustomersOnly:
    """The customer port of a connector with its page reads routed through ``read`` (for an interrupted customer sync)."""

    def __init__(self, read: Callable[[str, int], Awaitable[Any]]):
        self.customers_changed_since = read


def _reads_then_crash(read: Callable, allowed: int) -> Callable:
    """``read`` that works ``allowed`` times in this run, then raises Interrupted."""
    done = 0

    async def reading(watermark: str, limit: int):
        nonlocal done
        if done >= allowed:
            raise Interrupted(f"cut after {allowed} page(s)")
        done += 1
        return await read(watermark, limit)

    return reading


def _writes_then_crash(upsert: Callable) -> Callable:
    """``upsert`` that does its writes and then raises, inside the page's transaction (which must roll back)."""

    async def writing(records: list, now: dt.datetime):
        await upsert(records, now)
        raise Interrupted("cut in the middle of writing a page")

    return writing


async def _one_run(
    tenant: Tenant, connector: Any, kind: str, secret: str, batch_size: int, *, crash_in_write: bool
) -> bool:
    """One sync run that commits at most one page, then is cut; True when it finished instead."""
    try:
        if kind == "customers":  # reads a page, writes it, reads the next: the second read crashes
            reader = _reads_then_crash(connector.customers_changed_since, 1)
            await sync_customers(tenant, _CustomersOnly(reader), secret=secret, batch_size=batch_size)
        else:  # the engine reads the next page while it writes this one: that read-ahead crashes
            upsert = (
                _writes_then_crash(upsert_bills if kind == "bills" else upsert_calls)
                if crash_in_write
                else (upsert_bills if kind == "bills" else upsert_calls)
            )
            reader = _reads_then_crash(source_function(kind, connector), 1)
            await sync_kind(tenant, reader, upsert, kind, batch_size=batch_size)
    except Interrupted:
        return False
    return True


async def sync_with_crashes(
    tenant: Tenant, connector: Any, kind: str, secret: str, *, batch_size: int, max_runs: int
) -> int:
    """Sync ``kind`` to the end, crashing at every page boundary and in the middle of every page's write.

    Each run commits exactly one page and is then cut: alternately in the write
    of the next page (bills and calls, whose write step the engine takes as a
    function) and in the read of the next page. Returns the number of runs.
    """
    runs = 0
    for runs in range(1, max_runs + 1):
        if kind != "customers" and runs % 2 == 0:
            await _one_run(tenant, connector, kind, secret, batch_size, crash_in_write=True)
        if await _one_run(tenant, connector, kind, secret, batch_size, crash_in_write=False):
            return runs
    raise AssertionError(f"{kind}: the sync was still not finished after {max_runs} interrupted runs")
