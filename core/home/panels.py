"""The customer home page's own panels: open requests and quick actions (the core's part of ``home_panels``).

Quick actions come from the ``quick_actions`` hook, so only enabled plugins
offer anything: a visitor's home lists those same services and never promises
one the tenant lacks. Each panel costs at most one query.
"""

from __future__ import annotations

from litestar import Request

from core.utils import flatten
from core.web.context import info
from core.web.menus import Panel

OPEN_SHOWN = 5


def quick_actions(request: Request) -> list:
    """The enabled plugins' (and the core's) quick actions with their links resolved, sorted by (order, link)."""
    hall = request.app.state.hall
    tenant = info(request).tenant
    items = flatten(hall.hooks_for(tenant).quick_actions(hall=hall, tenant=tenant, request=request))
    return sorted((i.resolved(request) for i in items if i is not None), key=lambda i: (i.order, i.href))


def actions_panel(request: Request, title: str) -> Panel | None:
    actions = quick_actions(request)
    if not actions:
        return None
    signed_in = info(request).customer is not None
    return Panel(
        "home/_actions.html", {"actions": actions, "signed_in": signed_in}, title=title, order=0 if signed_in else 1
    )


async def open_requests_panel(request: Request, title: str) -> Panel | None:
    """The customer's work orders not in a terminal state of their type, newest first (one query)."""
    from core.workorders.views import local_time
    from core.workorders import types_for
    from core.workorders.tables import WorkOrder

    customer = info(request).customer
    if customer is None:
        return None
    types = types_for(request.app.state.hall, info(request).tenant)
    if not types:
        return None
    condition = None
    for code, wt in types.items():
        match = (
            (WorkOrder.type == code) & WorkOrder.state.not_in(list(wt.terminal))
            if wt.terminal
            else WorkOrder.type == code
        )
        condition = match if condition is None else condition | match
    rows = (
        await WorkOrder.select(
            WorkOrder.id, WorkOrder.number, WorkOrder.type, WorkOrder.state, WorkOrder.title, WorkOrder.created_at
        )
        .where((WorkOrder.customer == customer.id) & condition)
        .order_by(WorkOrder.id, ascending=False)
        .limit(OPEN_SHOWN + 1)
    )
    return Panel(
        "home/_requests.html",
        {"orders": rows[:OPEN_SHOWN], "more": len(rows) > OPEN_SHOWN, "types": types, "local": local_time(request)},
        title=title,
        order=40,
    )
