"""The operators' list of mailboxes, by state and address. Approvals themselves are work orders in the core's
queue (the ``mailbox.apply`` process), and failed provisioning is retried on the core's product page."""

from __future__ import annotations

from litestar import Request, Response, get

from core.api.web import paginate, render

from .tables import STATES, Mailbox

VIEW = {"auth": "operator", "permission": "mailbox.view"}


@get("/console", opt=VIEW, name="mailbox:console")
async def console(request: Request) -> Response:
    state = request.query_params.get("state", "")
    q = (request.query_params.get("q") or "").strip().lower()[:254]
    query = Mailbox.select().order_by(Mailbox.id, ascending=False)
    if state in STATES:
        query = query.where(Mailbox.state == state)
    if q:
        query = query.where(Mailbox.address.ilike(f"%{q}%"))
    page = await paginate(request, query)
    return await render(
        request,
        "mailbox/console.html",
        {"boxes": page.rows, "states": STATES, "state": state, "q": q, **page.template_context},
        audience="operator",
    )


HANDLERS = [console]
