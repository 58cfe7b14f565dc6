"""Console: work-order queues per department, an order's page, and claim / act / transfer / comment.

Which orders an operator sees and may act on is decided by core.workorders.access
(the same rules as the API): every handler here goes through the API.
"""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get, post
from litestar.params import FromPath
from piccolo.query import OrderByRaw

from core.i18n import N_
from core.web.audit_helpers import audit
from core.web.paging import paginate
from core.web.context import info
from core.web.forms import Form
from core.web.numbers import parse_int
from core.web.render import redirect_to, render
from core.workorders.views import (
    actor_of,
    data_template,
    form_with_errors,
    hall_of,
    load_order,
    local_time,
    names,
    not_found_on,
    order_history,
)
from core.workorders import InvalidData, WorkOrderError, claim, comment, transfer, transition, types_for
from core.workorders.access import HANDLE, SUPERVISE, departments_of, heads_of, may_override
from core.workorders.departments import departments
from core.workorders.tables import DepartmentMember, WorkOrder

HANDLE_OPT = {"auth": "operator", "permission": HANDLE}
QUEUES = {
    "mine": N_("Mine"),
    "department": N_("My departments"),
    "unassigned": N_("Unassigned"),
    "overdue": N_("Overdue"),
    "all": N_("All, closed too"),
}


async def _visible(actor):
    """The WHERE clause of the orders ``actor`` may see (None: all of them)."""
    if actor.can(SUPERVISE):
        return None
    mine = sorted(await departments_of(actor.id) | await heads_of(actor.id))
    clause = WorkOrder.department.is_null() | (WorkOrder.assignee == (actor.id or -1))
    return clause | WorkOrder.department.is_in(mine) if mine else clause


def _filters(request: Request, types: dict) -> dict:
    q = request.query_params
    queue = q.get("queue") or "department"
    state = (q.get("state") or "").strip()[:32]
    dept = q.get("department") or ""
    return {
        "queue": queue if queue in QUEUES else "department",
        "type": q.get("type") if q.get("type") in types else "",
        "state": state,
        "department": parse_int(dept),
        "q": (q.get("q") or "").strip()[:100],
    }


@get("/console/workorders", opt=HANDLE_OPT, name="console:workorders")
async def queue_page(request: Request) -> Response:
    hall, actor = hall_of(request), actor_of(request)
    types = types_for(hall, info(request).tenant)
    f = _filters(request, types)
    # most urgent first; orders without a deadline last on both engines (their NULL ordering differs)
    query = WorkOrder.select().order_by(OrderByRaw("deadline_at IS NULL")).order_by(WorkOrder.deadline_at, WorkOrder.id)
    visible = await _visible(actor)
    if visible is not None:
        query = query.where(visible)
    now = dt.datetime.now(dt.timezone.utc)
    if f["queue"] != "all":
        query = query.where(WorkOrder.closed_at.is_null())
    if f["queue"] == "mine":
        query = query.where(WorkOrder.assignee == (actor.id or -1))
    elif f["queue"] == "unassigned":
        query = query.where(WorkOrder.assignee.is_null())
    elif f["queue"] == "overdue":
        query = query.where(WorkOrder.resolved_at.is_null() & (WorkOrder.deadline_at < now))
    if f["type"]:
        query = query.where(WorkOrder.type == f["type"])
    if f["state"]:
        query = query.where(WorkOrder.state == f["state"])
    if f["department"] is not None:
        query = query.where(WorkOrder.department == f["department"])
    if f["q"]:
        like = "%" + f["q"].replace("%", "").replace("_", "") + "%"
        op = "like" if hall.db.is_sqlite else "ilike"  # SQLite's LIKE ignores ASCII case already (and has no ILIKE)
        query = query.where(
            getattr(WorkOrder.number, op)(like)
            | getattr(WorkOrder.title, op)(like)
            | getattr(WorkOrder.contact_name, op)(like)
        )
    page = await paginate(request, query)
    ops, depts = await names()
    states = sorted({(s.code, s.label) for t in types.values() for s in t.states})
    return await render(
        request,
        "workorders/queue.html",
        {
            "orders": page.rows,
            "filters": f,
            "queues": QUEUES,
            "types": types,
            "states": states,
            "ops": ops,
            "depts": depts,
            "now": now,
            **page.template_context,
            "local": local_time(request),
        },
        audience="operator",
    )


async def _detail(
    request: Request,
    order_id: int,
    *,
    form: Form | None = None,
    notice: str = "",
    params: dict | None = None,
    status: int = 200,
) -> Response:
    hall, actor = hall_of(request), actor_of(request)
    order, wt = await load_order(request, order_id)
    events, comments = await order_history(hall, order, public_only=False)
    ops, depts = await names()
    owner_or_free = order["assignee"] in (None, actor.id) or await may_override(order, actor)
    actions = [t for t in wt.available(order["state"], "operator") if actor.can(t.permission)] if owner_or_free else []
    members = await DepartmentMember.select(DepartmentMember.department, DepartmentMember.operator)
    return await render(
        request,
        "workorders/console_order.html",
        {
            "order": order,
            "wt": wt,
            "events": events,
            "comments": comments,
            "ops": ops,
            "depts": depts,
            "actions": actions,
            "may_act": owner_or_free and order["closed_at"] is None,
            "form": form or Form(),
            "notice": notice,
            "notice_params": params or {},
            "departments": [d for d in await departments() if d["active"]],
            "members": members,
            "data_templates": data_template(order),
            "now": dt.datetime.now(dt.timezone.utc),
            "local": local_time(request),
        },
        status=status,
        audience="operator",
    )


@get("/console/workorders/{order_id:int}", opt=HANDLE_OPT, name="console:workorder")
async def order_page(request: Request, order_id: FromPath[int]) -> Response:
    return await _detail(request, order_id)


async def _do(request: Request, order_id: int, what: str, step) -> Response:
    """Run one API call with the posted form; on refusal show the page again with the reason.

    The order's history records the change; the audit log records it as a console action like every other.
    """
    form = await Form.from_request(request)
    try:
        order = await step(hall_of(request), actor_of(request), form)
    except WorkOrderError as exc:
        not_found_on(exc)
        form, notice, params, status = form_with_errors(form, exc)
        return await _detail(request, order_id, form=form, notice=notice, params=params, status=status)
    await audit(
        request,
        f"workorder.{what}",
        object_type="workorder",
        object_id=order["number"],
        after={"state": order["state"], "department": order["department"], "assignee": order["assignee"]},
        summary=form.value("action"),
    )
    return redirect_to(request, "console:workorder", order_id=order_id)


@post("/console/workorders/{order_id:int}/claim", opt=HANDLE_OPT, name="console:workorder.claim")
async def order_claim(request: Request, order_id: FromPath[int]) -> Response:
    return await _do(request, order_id, "claim", lambda hall, actor, form: claim(hall, order_id, actor))


@post("/console/workorders/{order_id:int}/act", opt=HANDLE_OPT, name="console:workorder.act")
async def order_act(request: Request, order_id: FromPath[int]) -> Response:
    return await _do(
        request,
        order_id,
        "act",
        lambda hall, actor, form: transition(
            hall, order_id, form.value("action"), actor, comment=form.value("comment")
        ),
    )


@post("/console/workorders/{order_id:int}/comment", opt=HANDLE_OPT, name="console:workorder.comment")
async def order_comment(request: Request, order_id: FromPath[int]) -> Response:
    return await _do(
        request,
        order_id,
        "comment",
        lambda hall, actor, form: comment(
            hall, order_id, actor, form.value("comment"), public=form.value("public") == "on"
        ),
    )


@post("/console/workorders/{order_id:int}/transfer", opt=HANDLE_OPT, name="console:workorder.transfer")
async def order_transfer(request: Request, order_id: FromPath[int]) -> Response:
    def step(hall, actor, form):
        operator = form.value("operator")
        target = parse_int(operator) if operator else None
        if operator and target is None:  # "²", "-1", 10**30: not anyone's id
            raise InvalidData({"operator": N_("Choose an active member of the department.")})
        return transfer(
            hall,
            order_id,
            actor,
            reason=form.value("reason"),
            department=form.value("department") or None,
            operator=target,
        )

    return await _do(request, order_id, "transfer", step)


HANDLERS = [queue_page, order_page, order_claim, order_act, order_comment, order_transfer]


async def queue_counts(actor) -> dict[str, int]:
    """Open orders per queue, for the console home panel."""
    visible = await _visible(actor)
    now = dt.datetime.now(dt.timezone.utc)

    def open_orders():
        query = WorkOrder.count().where(WorkOrder.closed_at.is_null())
        return query if visible is None else query.where(visible)

    return {
        "department": await open_orders(),
        "mine": await open_orders().where(WorkOrder.assignee == (actor.id or -1)),
        "unassigned": await open_orders().where(WorkOrder.assignee.is_null()),
        "overdue": await open_orders().where(WorkOrder.resolved_at.is_null() & (WorkOrder.deadline_at < now)),
    }
