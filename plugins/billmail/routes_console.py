"""Console: batches with their mails by state, the send log (search by number or address), resending one mail (audited)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import mask_contact
from core.api.web import AuditorDep, HallDep, TenantDep, info, paginate, redirect_to, render
from plugins.billmail.batches import counts
from plugins.billmail.resend import resend_by_operator
from plugins.billmail.tables import Batch, Send

VIEW = {"auth": "operator", "permission": "billmail.view"}
RESEND = {"auth": "operator", "permission": "billmail.resend"}
STATES = ("queued", "sending", "sent", "failed", "uncertain", "cancelled")


@get("/console", opt=VIEW, name="billmail:console")
async def batches_page(request: Request) -> Response:
    batches = await Batch.select().order_by(Batch.month, ascending=False).limit(36)
    for batch in batches:
        batch["counts"] = await counts(batch["id"])
    return await render(
        request, "billmail/console_batches.html", {"batches": batches, "states": STATES}, audience="operator"
    )


@get("/console/batch/{batch_id:int}", opt=VIEW, name="billmail:console.batch")
async def send_log(request: Request, batch_id: FromPath[int]) -> Response:
    batch = await Batch.select().where(Batch.id == batch_id).first()
    if batch is None:
        raise NotFoundException()
    q = request.query_params
    state = q.get("state", "") if q.get("state", "") in STATES else ""
    term = (q.get("q") or "").strip()[:254]
    query = Send.select().where(Send.batch == batch_id).order_by(Send.id)
    if state:
        query = query.where(Send.state == state)
    if term:
        query = query.where((Send.number == term) | (Send.email == term.lower()))
    page = await paginate(request, query)
    for row in page.rows:
        row["email_masked"] = mask_contact(row["email"])
    return await render(
        request,
        "billmail/console_log.html",
        {
            "batch": batch,
            "counts": await counts(batch_id),
            "rows": page.rows,
            "states": STATES,
            "state": state,
            "q": term,
            **page.template_context,
            "result": q.get("result", "")[:16],
            "can_resend": bool(info(request).staff and info(request).staff.can("billmail.resend")),
        },
        audience="operator",
    )


@post("/console/send/{send_id:int}/resend", opt=RESEND, name="billmail:console.resend")
async def resend_one(
    request: Request, send_id: FromPath[int], hall: HallDep, tenant: TenantDep, auditor: AuditorDep
) -> Response:
    done = await resend_by_operator(hall, tenant, auditor, send_id)
    if done is None:
        raise NotFoundException()
    before, outcome = done
    return redirect_to(
        request, "billmail:console.batch", batch_id=before["batch"], query={"q": before["number"], "result": outcome}
    )


HANDLERS = [batches_page, send_log, resend_one]
