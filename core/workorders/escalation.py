"""The escalation job: orders past their deadline are marked escalated once and their department head is told.

Idempotent: an order is claimed with ``UPDATE … WHERE escalated_at IS NULL``,
so a second run (or a second worker) does nothing for it. The history event and
the message are written in the same transaction as the mark.
"""

from __future__ import annotations

import datetime as dt

from core.db import transaction
from core.tenancy import require_tenant
from core.workorders.access import Actor
from core.workorders.api import record_change, type_of
from core.workorders.messages import tell_department
from core.workorders.tables import Department, WorkOrder

JOB_NAME = "core.escalate_workorders"


async def overdue(at: dt.datetime, limit: int = 200) -> list[dict]:
    """Open orders (not resolved, not closed) past their deadline and not yet escalated."""
    return (
        await WorkOrder.select()
        .where(
            WorkOrder.deadline_at.is_not_null()
            & (WorkOrder.deadline_at < at)
            & WorkOrder.escalated_at.is_null()
            & WorkOrder.resolved_at.is_null()
            & WorkOrder.closed_at.is_null()
        )
        .order_by(WorkOrder.deadline_at)
        .limit(limit)
    )


async def escalate_due(hall, tenant_id: str, now: dt.datetime | None = None) -> int:
    """Job body (``core.escalate_workorders``, every 5 minutes). Returns how many orders it escalated."""
    tenant = require_tenant()
    at = now or dt.datetime.now(dt.timezone.utc)
    done = 0
    for order in await overdue(at):
        async with transaction():
            marked = (
                await WorkOrder.update({WorkOrder.escalated_at: at})
                .where((WorkOrder.id == order["id"]) & WorkOrder.escalated_at.is_null())
                .returning(WorkOrder.id)
            )
            if not marked:
                continue
            dept = (
                await Department.select().where(Department.id == order["department"]).first()
                if order["department"]
                else None
            )
            details = {
                "deadline_at": order["deadline_at"].isoformat(),
                "department": order["department"],
                "head": dept["head"] if dept else None,
            }
            order, _ = await record_change(
                hall, tenant, order["id"], Actor.system(), "escalate", order["state"], order["state"], details
            )
            if dept:
                await tell_department(hall, tenant, order, type_of(hall, order), dept["email"])
        done += 1
    return done
