"""Console: the outbox to the legacy system (permission ``core.outbox.manage``): events by status, replay of dead ones."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.db import transaction
from core.legacy.outbox import STATUSES, replay
from core.legacy.outbox_tables import OutboxEvent
from core.web.audit_helpers import audit
from core.web.paging import paginate
from core.web.render import redirect_to, render

MANAGE = {"auth": "operator", "permission": "core.outbox.manage"}
SNAPSHOT = (OutboxEvent.event_id, OutboxEvent.kind, OutboxEvent.status, OutboxEvent.attempts, OutboxEvent.last_error)


@get("/console/outbox", opt=MANAGE, name="console:outbox")
async def outbox_list(request: Request) -> Response:
    q = request.query_params
    filters = {"status": q.get("status", "") if q.get("status", "") in STATUSES else "",
               "kind": (q.get("kind") or "").strip()[:64], "event_id": (q.get("event_id") or "").strip()[:36]}
    query = OutboxEvent.select().order_by(OutboxEvent.id, ascending=False)
    if filters["status"]:
        query = query.where(OutboxEvent.status == filters["status"])
    if filters["kind"]:
        query = query.where(OutboxEvent.kind == filters["kind"])
    if filters["event_id"]:
        query = query.where(OutboxEvent.event_id == filters["event_id"])
    page = await paginate(request, query)
    counts = {status: await OutboxEvent.count().where(OutboxEvent.status == status) for status in STATUSES}
    return await render(request, "console/outbox.html", {"events": page.rows, "filters": filters, "counts": counts,
                                                          "statuses": STATUSES, **page.template_context}, audience="operator")


@post("/console/outbox/{row_id:int}/replay", opt=MANAGE, name="console:outbox.replay")
async def outbox_replay(request: Request, row_id: FromPath[int]) -> Response:
    async with transaction():
        before = await OutboxEvent.select(*SNAPSHOT).where(OutboxEvent.id == row_id).first()
        if before is None:
            raise NotFoundException()
        if await replay(before["event_id"]):
            after = await OutboxEvent.select(*SNAPSHOT).where(OutboxEvent.id == row_id).first()
            await audit(request, "outbox.replay", object_type="outbox_event", object_id=before["event_id"], before=before, after=after)
    return redirect_to(request, "console:outbox", query={"status": "dead"})


HANDLERS = [outbox_list, outbox_replay]
