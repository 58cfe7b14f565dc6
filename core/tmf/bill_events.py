"""CustomerBillCreateEvent (TMF678), off the bill sync's hot path: the job ``core.api_bill_events`` reads the bills past
the tenant's watermark (``core_bill.id``, :class:`ApiWatermark` ``bills``) and queues one event per new bill through the
hub's delivery (:func:`hub.publish`), advancing the watermark in the same transaction.

Why the id: the sync upserts ``ON CONFLICT (tenant, legacy_id) DO UPDATE``, so a re-synced (changed) bill keeps its id
and only a bill the hall never had gets a higher one. A crash before the commit leaves the watermark where it was (the
batch is told again, once); after it, nothing is told twice. Two runs at once cannot both tell a batch: the watermark
moves only from the value the run read (a conditional UPDATE), and the loser rolls back.

The first run on a tenant starts at the newest bill: bills the hall had before the hub watched are history, not news.
The tenant's bill writers (the sync jobs) run one at a time, so ids commit in order and none is skipped.
"""

from __future__ import annotations

import datetime as dt

from core.db import transaction
from core.legacy.billing_tables import Bill
from core.tmf import PREFIX, hub
from core.tmf.routes_billing import customer_bill
from core.tmf.tables import ApiWatermark

JOB_NAME = "core.api_bill_events"
KIND = "bills"
BATCH = 500
FIELDS = (
    Bill.id,
    Bill.legacy_id,
    Bill.number,
    Bill.month,
    Bill.amount_fen,
    Bill.paid_fen,
    Bill.status,
    Bill.due_date,
    Bill.account_legacy_id,
)


class _Moved(Exception):
    """Another run advanced the watermark first: roll this batch back."""


def event_body(row: dict) -> dict:
    return {"customerBill": customer_bill(row, f"{PREFIX}/customerBill/{row['legacy_id']}")}


async def _batch(limit: int) -> int | None:
    """Queue one batch; the number of bills told, or None when there is nothing more (or the watermark was new)."""
    now = dt.datetime.now(dt.timezone.utc)
    mark = await ApiWatermark.select(ApiWatermark.id, ApiWatermark.last_id).where(ApiWatermark.kind == KIND).first()
    if mark is None:
        newest = await Bill.select(Bill.id).order_by(Bill.id, ascending=False).first()
        await ApiWatermark.insert(
            ApiWatermark(kind=KIND, last_id=newest["id"] if newest else 0, updated_at=now)
        ).on_conflict(target=(ApiWatermark.tenant, ApiWatermark.kind), action="DO NOTHING")
        return None
    rows = await Bill.select(*FIELDS).where(Bill.id > mark["last_id"]).order_by(Bill.id).limit(limit)
    if not rows:
        return None
    for row in rows:
        await hub.publish("CustomerBillCreateEvent", event_body(row))
    moved = (
        await ApiWatermark.update({ApiWatermark.last_id: rows[-1]["id"], ApiWatermark.updated_at: now})
        .where((ApiWatermark.id == mark["id"]) & (ApiWatermark.last_id == mark["last_id"]))
        .returning(ApiWatermark.id)
    )
    if not moved:
        raise _Moved
    return len(rows)


async def queue_new_bills(hall, tenant_id: str, *, limit: int = BATCH, progress=None) -> int:
    """Job ``core.api_bill_events``: one event per bill new since the last run, a transaction per ``limit`` bills.

    ``progress`` (crash tests) is called after each committed batch."""
    told = 0
    while True:
        try:
            async with transaction():
                count = await _batch(limit)
        except _Moved:
            return told
        if count is None:
            return told
        told += count
        if progress:
            progress(count)
