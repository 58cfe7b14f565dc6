"""A month's batch: noticed once its bills have synced, created once per tenant and month, filled with one send row per subscriber.

"The month's bills are in" = the newest month among the synced bills, and the
last successful bills sync finished after the newest bill row of that month
was written (a sync still paging through the month has not finished yet).
Creating a batch is an ``INSERT … ON CONFLICT DO NOTHING`` on the unique
``(tenant, month)``, so two workers, or a job run twice, create it once.
"""

from __future__ import annotations

import datetime as dt

from piccolo.query.functions.aggregate import Max

from core.api.db import analyze, bulk_upsert, transaction
from core.api.legacy import Bill, SyncState
from plugins.billmail.tables import Batch, Send, Subscription

SEND_COLUMNS = ("batch", "subscription", "number", "email", "language", "state", "attempts", "claimed_by", "last_error")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def month_ready() -> str | None:
    """The month whose bills have fully synced and that may get a batch (current tenant), or None."""
    state = await SyncState.select(SyncState.last_success_at).where(SyncState.kind == "bills").first()
    if not state or state["last_success_at"] is None:
        return None
    newest = await Bill.select(Bill.month).order_by(Bill.month, ascending=False).limit(1).first()
    if not newest:
        return None
    month = newest["month"]
    written = await Bill.select(Max(Bill.synced_at, alias="written")).where(Bill.month == month).first()
    last_write = written and written["written"]
    if isinstance(last_write, str):  # SQLite hands aggregates back as text
        last_write = dt.datetime.fromisoformat(last_write)
    if last_write is not None and last_write.tzinfo is None:
        last_write = last_write.replace(tzinfo=dt.timezone.utc)
    if last_write is not None and last_write > state["last_success_at"]:
        return None
    return month


async def create_batch(month: str, now: dt.datetime | None = None) -> tuple[int, bool]:
    """(batch id, created now). The send rows are written in the same transaction as the batch: all or nothing."""
    now = now or _now()
    async with transaction():
        rows = (
            await Batch.insert(Batch(month=month, created_at=now, total=0))
            .on_conflict(target=(Batch.tenant, Batch.month), action="DO NOTHING")
            .returning(Batch.id)
        )
        if not rows:
            existing = await Batch.select(Batch.id).where(Batch.month == month).first()
            return existing["id"], False
        batch_id = rows[0]["id"]
        total = await add_subscribers(batch_id, month)
        await Batch.update({Batch.total: total}).where(Batch.id == batch_id)
    await analyze(Send)  # PostgreSQL plans the sender's claims on fresh statistics, not on last month's table
    return batch_id, True


async def add_subscribers(batch_id: int, month: str) -> int:
    """Queue a send for every active subscription whose number has a bill this month and no row yet (idempotent)."""
    # a bill of a whole account (合账) has no number of its own ("" ): no subscription matches it, so it is left out
    billed = {r["number"] for r in await Bill.select(Bill.number).where((Bill.month == month) & (Bill.number != ""))}
    subs = await Subscription.select(
        Subscription.id, Subscription.number, Subscription.email, Subscription.language
    ).where(Subscription.active == True)  # noqa: E712
    rows = [
        (batch_id, s["id"], s["number"], s["email"], s["language"], "queued", 0, "", "")
        for s in subs
        if s["number"] in billed
    ]
    for start in range(0, len(rows), 20_000):
        await bulk_upsert(Send, SEND_COLUMNS, rows[start : start + 20_000], key=("batch", "subscription"), update=())
    return len(rows)


async def counts(batch_id: int) -> dict[str, int]:
    """Sends of a batch by state (the console's and the CLI's progress)."""
    from piccolo.query.functions.aggregate import Count

    rows = await Send.select(Send.state, Count(alias="n")).where(Send.batch == batch_id).group_by(Send.state)
    return {r["state"]: r["n"] for r in rows}
