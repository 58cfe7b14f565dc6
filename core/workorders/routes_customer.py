"""The customer's side of work orders: "my requests" (every type) and one request with its public notes.

Plugins own the submission forms; after ``open_order`` they redirect here.
Customers see only their own orders (the API answers NotFound for others').
"""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath

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
    not_found_on,
    order_history,
)
from core.workorders import WorkOrderError, comment, rate, transition, types_for
from core.workorders.tables import WorkOrder

CUSTOMER = {"auth": "customer"}


@get("/account/requests", opt=CUSTOMER, name="account:requests")
async def my_requests(request: Request) -> Response:
    actor = actor_of(request)
    page = await paginate(
        request, WorkOrder.select().where(WorkOrder.customer == actor.id).order_by(WorkOrder.id, ascending=False)
    )
    types = types_for(hall_of(request), info(request).tenant)
    return await render(
        request,
        "workorders/my_requests.html",
        {
            "orders": [o for o in page.rows if o["type"] in types],
            "types": types,
            **page.template_context,
            "local": local_time(request),
        },
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
    order, wt = await load_order(request, order_id)
    events, comments = await order_history(hall_of(request), order, public_only=True)
    return await render(
        request,
        "workorders/my_request.html",
        {
            "order": order,
            "wt": wt,
            "events": events,
            "comments": comments,
            "actions": wt.available(order["state"], "customer"),
            "may_rate": order["state"] in wt.resolved_states and order["rating"] is None,
            "form": form or Form(),
            "notice": notice,
            "notice_params": params or {},
            "data_templates": data_template(order),
            "local": local_time(request),
        },
        status=status,
    )


@get("/account/requests/{order_id:int}", opt=CUSTOMER, name="account:request")
async def my_request(request: Request, order_id: FromPath[int]) -> Response:
    return await _detail(request, order_id)


async def _do(request: Request, order_id: int, step) -> Response:
    form = await Form.from_request(request)
    try:
        await step(hall_of(request), actor_of(request), form)
    except WorkOrderError as exc:
        not_found_on(exc)
        form, notice, params, status = form_with_errors(form, exc)
        return await _detail(request, order_id, form=form, notice=notice, params=params, status=status)
    return redirect_to(request, "account:request", order_id=order_id)


@post("/account/requests/{order_id:int}/act", opt=CUSTOMER, name="account:request.act")
async def my_request_act(request: Request, order_id: FromPath[int]) -> Response:
    return await _do(
        request,
        order_id,
        lambda hall, actor, form: transition(
            hall, order_id, form.value("action"), actor, comment=form.value("comment")
        ),
    )


@post("/account/requests/{order_id:int}/comment", opt=CUSTOMER, name="account:request.comment")
async def my_request_comment(request: Request, order_id: FromPath[int]) -> Response:
    return await _do(
        request, order_id, lambda hall, actor, form: comment(hall, order_id, actor, form.value("comment"), public=True)
    )


@post("/account/requests/{order_id:int}/rate", opt=CUSTOMER, name="account:request.rate")
async def my_request_rate(request: Request, order_id: FromPath[int]) -> Response:
    def step(hall, actor, form):
        score = form.value("rating")
        return rate(hall, order_id, actor, parse_int(score, low=1, high=5) or 0, form.value("remark"))

    return await _do(request, order_id, step)


HANDLERS = [my_requests, my_request, my_request_act, my_request_comment, my_request_rate]
