"""The installers' roster on the console's appointments: who goes to each appointment of the day, and handing one
to an installer. An installer is an operator of the installing department (``[plugins.phone] department``); the
assignment is the work order's own (``transfer`` to that operator), so the work-order queue, its audit trail and
its rules (the owner, the department head or a supervisor may hand it on) are the core's."""

from __future__ import annotations

from core.api import N_
from core.api.workorders import InvalidData, WorkOrder, WorkOrderError, departments, operator_names, transfer
from core.api.web import FieldErrors

NO_APPOINTMENT = N_("This order has no appointment to assign.")


async def installers(tenant) -> list[tuple[int, str]]:
    """(operator id, name) of whoever may install: the installing department's members, else every operator."""
    names = await operator_names()
    code = tenant.plugin_settings("phone").department
    dept = next((d for d in await departments() if d["code"] == code), None) if code else None
    ids = dept["members"] if dept is not None else sorted(names)
    return [(i, names.get(i, str(i))) for i in ids]


async def with_installers(rows: list[dict]) -> list[dict]:
    """Each appointment with its work order's assignee (the installer) and name."""
    ids = [r["order"]["workorder_id"] for r in rows if r["order"]["workorder_id"]]
    orders = {
        w["id"]: w
        for w in await WorkOrder.select(WorkOrder.id, WorkOrder.assignee, WorkOrder.number).where(
            WorkOrder.id.is_in(ids or [0])
        )
    }
    names = await operator_names()
    for r in rows:
        wo = orders.get(r["order"]["workorder_id"])
        r["workorder"] = wo
        r["installer"] = names.get(wo["assignee"], "") if wo and wo["assignee"] else ""
    return rows


async def assign(hall, actor, order: dict | None, operator_id: int, reason: str) -> dict:
    """Hand the appointment's work order to ``operator_id``; FieldErrors on ``operator`` with the core's reason."""
    problems = FieldErrors()
    if order is None or not order.get("workorder_id"):
        problems.add("operator", NO_APPOINTMENT)
        raise problems
    try:
        return await transfer(hall, order["workorder_id"], actor, reason=reason, operator=operator_id)
    except InvalidData as exc:
        for message in exc.errors.values():
            problems.add("operator", message)
    except WorkOrderError as exc:
        problems.add("operator", exc.message, **(exc.params or {}))
    raise problems
