"""Bills (with line items) and call-detail records: validation and bulk upserts for the sync engine.

Each kind is a validator plus an ``upsert_fn`` for :func:`core.legacy.sync_engine.sync_kind`.
Rows go in with Piccolo's ``insert(*rows).on_conflict(...)``, many rows per
statement, on the unique index ``(tenant, legacy_id)``. A bill's items are made
exactly the legacy ones: upserted on ``(tenant, legacy_id)`` (``<bill>/<position>``),
and items the bill no longer has are deleted - all in the page's transaction.
"""

from __future__ import annotations

import datetime as dt
import re

from core.legacy.billing_tables import Bill, BillItem, CallRecord
from core.legacy.ports import BillingSource, CallRecordSource, LegacyBill, LegacyCallRecord
from core.legacy.sync_engine import Outcome, Rejected, SyncResult, chunks, masked_sample, retry_kind, sync_kind
from core.privacy import scrub
from core.tenancy import Tenant

BILL_STATUSES = ("unpaid", "partial", "paid")
CALL_TYPES = ("local", "long_distance", "international", "roaming", "data", "sms")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PARAMS = 30000  # bind parameters per statement: under SQLite's (32766) and PostgreSQL's (32767) limits
BILL_FIELDS = ("number", "month", "amount_fen", "paid_fen", "status", "due_date", "changed_at", "synced_at")
ITEM_FIELDS = ("bill_legacy_id", "position", "code", "name", "amount_fen")
CALL_FIELDS = ("number", "started_at", "duration_s", "called_number", "call_type", "charge_fen")


def _text(label: str, value, size: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise ValueError(f"empty {label}")
    if len(text) > size:
        raise ValueError(f"{label} {text[:size]!r}… is longer than {size} characters")
    return text


def _fen(label: str, value, *, negative: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{label} {value!r} is not a whole number of fen")
    if value < 0 and not negative:
        raise ValueError(f"{label} {value} fen is negative")
    return value


def validate_bill(bill: LegacyBill) -> tuple[dict, list[dict]]:
    """(bill values, item values) in the hall's shape; ValueError naming what is wrong."""
    if bill.problem:
        raise ValueError(bill.problem)
    legacy_id = _text("legacy id", bill.legacy_id, 64)
    month = _text("month", bill.month, 7)
    if not MONTH.match(month):
        raise ValueError(f"month {month!r} is not YYYY-MM")
    if bill.status not in BILL_STATUSES:
        raise ValueError(f"status {bill.status!r} is not one of {', '.join(BILL_STATUSES)} (map it in the connector)")
    if bill.changed_at is not None and bill.changed_at.tzinfo is None:
        raise ValueError("change time has no time zone")
    values = dict(legacy_id=legacy_id, number=_text("number", bill.number, 32), month=month,
                  amount_fen=_fen("amount", bill.amount_fen, negative=True), paid_fen=_fen("paid", bill.paid_fen, negative=True),
                  status=bill.status, due_date=bill.due_date, changed_at=bill.changed_at)
    items = [dict(legacy_id=f"{legacy_id}/{n}", bill_legacy_id=legacy_id, position=n,
                  code=_text("item code", item.code, 32, required=False), name=_text("item name", item.name, 100, required=False),
                  amount_fen=_fen(f"item {n} amount", item.amount_fen, negative=True))
             for n, item in enumerate(bill.items, 1)]
    return values, items


def validate_call(call: LegacyCallRecord) -> dict:
    if call.problem:
        raise ValueError(call.problem)
    if call.call_type not in CALL_TYPES:
        raise ValueError(f"call type {call.call_type!r} is not one of {', '.join(CALL_TYPES)} (map it in the connector)")
    if not isinstance(call.started_at, dt.datetime) or call.started_at.tzinfo is None:
        raise ValueError(f"start time {call.started_at!r} is not a time with a zone")
    duration = call.duration_s
    if isinstance(duration, bool) or not isinstance(duration, int) or duration < 0:
        raise ValueError(f"duration {duration!r} is not a whole number of seconds >= 0")
    return dict(legacy_id=_text("legacy id", call.legacy_id, 64), number=_text("number", call.number, 32),
                started_at=call.started_at, duration_s=duration,
                called_number=_text("called number", call.called_number, 32, required=False),
                call_type=call.call_type, charge_fen=_fen("charge", call.charge_fen))


def _accept(records: list, check) -> tuple[list, list[str], list[Rejected]]:
    good, accepted, rejected = [], [], []
    for record in records:
        legacy_id = (getattr(record, "legacy_id", "") or "").strip() or "(none)"
        try:
            good.append(check(record))
            accepted.append(legacy_id)
        except ValueError as exc:
            rejected.append(Rejected(legacy_id, scrub(str(exc)), masked_sample(record)))
    return good, accepted, rejected


async def _upsert(table, rows: list[dict], fields: tuple[str, ...]) -> None:
    if not rows:
        return
    rows = list({r["legacy_id"]: r for r in rows}.values())  # one row per key: PostgreSQL refuses to update a row twice
    per_statement = max(1, PARAMS // (len(fields) + 3))
    update = [getattr(table, f) for f in fields]
    for part in chunks(rows, per_statement):
        await table.insert(*(table(**r) for r in part)).on_conflict(
            target=(table.tenant, table.legacy_id), action="DO UPDATE", values=update)


async def upsert_bills(records: list[LegacyBill], now: dt.datetime) -> Outcome:
    good, accepted, rejected = _accept(records, validate_bill)
    bills = [dict(values, synced_at=now) for values, _ in good]
    known = []  # bills the hall had before: only they can have items to remove (a first sync skips the look-up)
    for part in chunks([b["legacy_id"] for b in bills]):
        known += [r["legacy_id"] for r in await Bill.select(Bill.legacy_id).where(Bill.legacy_id.is_in(part))]
    await _upsert(Bill, bills, BILL_FIELDS)
    items = [item for _, its in good for item in its]
    await _upsert(BillItem, items, ITEM_FIELDS)
    keep = {item["legacy_id"] for item in items}
    for part in chunks(known):  # items a bill no longer has
        old = await BillItem.select(BillItem.legacy_id).where(BillItem.bill_legacy_id.is_in(part))
        stale = [r["legacy_id"] for r in old if r["legacy_id"] not in keep]
        for gone in chunks(stale):
            await BillItem.delete().where(BillItem.legacy_id.is_in(gone))
    return Outcome(written=len(bills), accepted=accepted, rejected=rejected)


async def upsert_calls(records: list[LegacyCallRecord], now: dt.datetime) -> Outcome:
    good, accepted, rejected = _accept(records, validate_call)
    await _upsert(CallRecord, good, CALL_FIELDS)
    return Outcome(written=len(good), accepted=accepted, rejected=rejected)


# -- the kinds, as the CLI and jobs use them ---------------------------------------------
KINDS = {"bills": BillingSource, "calls": CallRecordSource}


def _functions(kind: str, connector):
    if kind == "bills":
        async def source(watermark: str, limit: int):
            batch = await connector.bills_changed_since(watermark, limit)
            return batch.bills, batch.watermark
        return source, connector.bills_by_ids, upsert_bills
    if kind == "calls":
        async def source(watermark: str, limit: int):
            batch = await connector.calls_after(watermark, limit)
            return batch.calls, batch.watermark
        return source, connector.calls_by_ids, upsert_calls
    raise ValueError(f"unknown sync kind {kind!r} (have: {', '.join(KINDS)})")


def supports(connector, kind: str) -> bool:
    return kind in KINDS and isinstance(connector, KINDS[kind])


async def sync_billing(tenant: Tenant, connector, kind: str, *, batch_size: int = 2000, full: bool = False,
                       progress=None) -> SyncResult:
    """Sync ``bills`` or ``calls`` of one tenant from its connector."""
    source, _fetch, upsert = _functions(kind, connector)
    return await sync_kind(tenant, source, upsert, kind, batch_size=batch_size, full=full, progress=progress)


async def retry_quarantined(tenant: Tenant, kind: str, connector) -> SyncResult:
    """Re-read every open quarantined ``kind`` row from the legacy system and re-validate it."""
    _source, fetch, upsert = _functions(kind, connector)
    return await retry_kind(tenant, fetch, upsert, kind)
