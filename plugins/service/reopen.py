"""The reopening period of complaints, enforced inside the reopen's transaction (the workorder_changed hook)."""

from __future__ import annotations

import datetime as dt

from core.api import N_
from core.api.workorders import Conflict, WorkOrderEvent


async def check_reopen_period(tenant, order: dict, event: dict) -> None:
    """Refuse (and so roll back) a reopen later than ``reopen_days`` after the last resolution."""
    days = tenant.plugin_settings("service").reopen_days
    resolved = (
        await WorkOrderEvent.select(WorkOrderEvent.at)
        .where(
            (WorkOrderEvent.workorder == order["id"])
            & (WorkOrderEvent.to_state == "resolved")
            & (WorkOrderEvent.id < event["id"])
        )
        .order_by(WorkOrderEvent.id, ascending=False)
        .first()
    )
    if resolved is None:
        return
    if event["at"] - resolved["at"] > dt.timedelta(days=days):
        raise Conflict(
            N_("A complaint can be reopened only within %(days)s days of its resolution; please file a new one."),
            days=days,
        )
