"""Console: top-ups searched by number, state and day (times in the tenant's zone); one top-up; refunds (topup.refund, audited)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_, local, zone_of
from core.api.payments import PaymentError, get_intent
from core.api.web import AuditorDep, FieldErrors, Form, HallDep, TenantDep, info, paginate, redirect_to, render
from plugins.topup.console import (
    OUTCOMES,
    STATES,
    Filters,
    intents_by_id,
    refund_topup,
    refundable_fen,
    refunds_of,
    topup_of,
)

VIEW = {"auth": "operator", "permission": "topup.view"}
REFUND = {"auth": "operator", "permission": "topup.refund"}


@get("/console", opt=VIEW, name="topup:console")
async def topups(request: Request, tenant: TenantDep) -> Response:
    """Top-ups, newest first: by service number, the payment's state, and the day started (from/to, the tenant's days)."""
    filters = Filters.of(request.query_params)
    page = await paginate(request, filters.query(zone_of(tenant)))
    intents = await intents_by_id([r["intent_id"] for r in page.rows])
    rows = [
        {
            **r,
            "when": local(r["created_at"], tenant),
            "paid": local(r["paid_at"], tenant),
            "intent": intents.get(r["intent_id"]),
        }
        for r in page.rows
    ]
    return await render(
        request,
        "topup/console_list.html",
        {"rows": rows, "filters": filters, "states": STATES, **page.template_context},
        status=400 if filters.bad else 200,
        audience="operator",
    )


async def _topup_page(request: Request, intent_id: str, form: Form, *, notice: str = "", status: int = 200):
    row = await topup_of(intent_id)
    intent = await get_intent(row["intent_id"]) if row else None
    if row is None or intent is None:
        raise NotFoundException()
    tenant = info(request).tenant
    principal = info(request).principal
    return await render(
        request,
        "topup/console_topup.html",
        {
            "topup": row,
            "intent": intent,
            "refunds": await refunds_of(intent.id),
            "form": form,
            "notice": notice,
            "local": lambda moment: local(moment, tenant, "second"),
            "refundable_fen": refundable_fen(intent),
            "can_refund": bool(principal and principal.can("topup.refund")),
        },
        status=status,
        audience="operator",
    )


@get("/console/{intent_id:str}", opt=VIEW, name="topup:console.topup")
async def topup_page(request: Request, intent_id: FromPath[str]) -> Response:
    return await _topup_page(
        request, intent_id, Form(), notice=OUTCOMES.get(request.query_params.get("refund") or "", "")
    )


@post("/console/{intent_id:str}/refund", opt=REFUND, name="topup:console.refund")
async def refund(request: Request, intent_id: FromPath[str], hall: HallDep, auditor: AuditorDep) -> Response:
    """Refund part or all of a paid top-up through the core's refund service (audited as payment.refund)."""
    row = await topup_of(intent_id)
    if row is None:
        raise NotFoundException()
    form = await Form.from_request(request)
    try:
        outcome = await refund_topup(hall, auditor, row["intent_id"], form.value("amount"), form.value("reason"))
    except FieldErrors as problems:
        form.take(problems)
        return await _topup_page(request, intent_id, form, status=400)
    except PaymentError:
        form.error(
            "amount",
            N_("This payment cannot be refunded that much (not paid, or more than what is left)."),
        )
        return await _topup_page(request, intent_id, form, status=409)
    return redirect_to(request, "topup:console.topup", intent_id=row["intent_id"], query={"refund": outcome})


HANDLERS = [topups, topup_page, refund]
