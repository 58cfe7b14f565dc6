"""Console: the outbox to the legacy system (permission ``core.outbox.manage``): events by status, replay of dead ones."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.legacy.outbox import STATUSES
from core.legacy.services import replay_event
from core.legacy.outbox_tables import OutboxEvent
from core.web.dependencies import AuditorDep
from core.web.paging import paginate
from core.web.render import redirect_to, render

MANAGE = {"auth": "operator", "permission": "core.outbox.manage"}


@get("/console/outbox", opt=MANAGE, name="console:outbox")
async def outbox_list(request: Request) -> Response:
    q = request.query_params
    filters = {
        "status": q.get("status", "") if q.get("status", "") in STATUSES else "",
        "kind": (q.get("kind") or "").strip()[:64],
        "event_id": (q.get("event_id") or "").strip()[:36],
    }
    query = OutboxEvent.select().order_by(OutboxEvent.id, ascending=False)
    if filters["status"]:
        query = query.where(OutboxEvent.status == filters["status"])
    if filters["kind"]:
        query = query.where(OutboxEvent.kind == filters["kind"])
    if filters["event_id"]:
        query = query.where(OutboxEvent.event_id == filters["event_id"])
    page = await paginate(request, query)
    counts = {status: await OutboxEvent.count().where(OutboxEvent.status == status) for status in STATUSES}
    return await render(
        request,
        "console/outbox.html",
        {"events": page.rows, "filters": filters, "counts": counts, "statuses": STATUSES, **page.template_context},
        audience="operator",
    )


@post("/console/outbox/{row_id:int}/replay", opt=MANAGE, name="console:outbox.replay")
async def outbox_replay(request: Request, row_id: FromPath[int], auditor: AuditorDep) -> Response:
    if await replay_event(auditor, row_id) is None:
        raise NotFoundException()
    return redirect_to(request, "console:outbox", query={"status": "dead"})


HANDLERS = [outbox_list, outbox_replay]
