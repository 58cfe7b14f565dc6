"""Human-readable order numbers ("TS-2026-000123"), per tenant, prefix and year, without gaps or repeats.

A counter row per (tenant, prefix, year) is created if missing and then
incremented with ``UPDATE … SET value = value + 1 … RETURNING value``. The update
locks the row until the surrounding transaction ends, so two concurrent
transactions get consecutive numbers on PostgreSQL; on SQLite the transaction is
``IMMEDIATE`` and writers are serialised anyway. Call it inside the transaction
that inserts the order: a rolled-back order gives its number back.
"""

from __future__ import annotations

import datetime as dt

from core.workorders.tables import WorkOrderCounter


async def next_number(prefix: str, now: dt.datetime | None = None) -> str:
    year = (now or dt.datetime.now(dt.timezone.utc)).year
    await WorkOrderCounter.insert(WorkOrderCounter(prefix=prefix, year=year, value=0)).on_conflict(
        target=(WorkOrderCounter.tenant, WorkOrderCounter.prefix, WorkOrderCounter.year), action="DO NOTHING"
    )
    rows = (
        await WorkOrderCounter.update({WorkOrderCounter.value: WorkOrderCounter.value + 1})
        .where((WorkOrderCounter.prefix == prefix) & (WorkOrderCounter.year == year))
        .returning(WorkOrderCounter.value)
    )
    return f"{prefix}-{year}-{rows[0]['value']:06d}"
