"""When an order is due: the tenant's override, else the type's default (per category when the type has one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.workorders.types import WorkOrderType


def category_of(wt: WorkOrderType, data: dict[str, Any]) -> str:
    return str((wt.deadline_key(data) if wt.deadline_key else None) or "")[:64]


def deadline_hours(wt: WorkOrderType, category: str, tenant) -> float | None:
    """Most specific wins: tenant ``type/category``, tenant ``type``, type's category default, type's default.

    The tenant's values are ``workorder_deadline_hours`` of the declaring plugin's settings (see settings.py).
    """
    overrides = getattr(tenant.plugin_settings(wt.plugin), "workorder_deadline_hours", None) or {}
    name = wt.code.split(".", 1)[1]
    for found in (
        overrides.get(f"{name}/{category}") if category else None,
        overrides.get(name),
        wt.category_deadline_hours.get(category) if category else None,
        wt.deadline_hours,
    ):
        if found is not None:
            return found or None  # 0: no deadline
    return None


def deadline_for(wt: WorkOrderType, category: str, tenant, start: dt.datetime) -> dt.datetime | None:
    hours = deadline_hours(wt, category, tenant)
    return start + dt.timedelta(hours=hours) if hours else None


async def restart_deadline(order_id: int, hours: float | None) -> None:
    """A new stage of an order with its own time limit (a product order's next step): due ``hours`` from now, or never.

    The escalation mark is cleared, so the new stage escalates on its own when it is missed.
    """
    from core.workorders.tables import WorkOrder

    due = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=hours) if hours else None
    await WorkOrder.update({WorkOrder.deadline_at: due, WorkOrder.escalated_at: None}).where(WorkOrder.id == order_id)
