"""Console: payments of every plugin - search, one payment with its ledger and refunds, and refunding (audited).

Search by service number (its customer's payments), customer legacy id,
payment id, state and creation date range. Reading needs ``core.payments.view``;
refunding needs ``core.payments.refund`` and is written to the audit log with
the operator, the amount and the reason (core.payments.refund does the money).
"""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.localtime import local, zone_of
from core.auth.tables import ServiceNumber
from core.i18n import N_
from core.money import format_fen, parse_yuan
from core.payments import PaymentError, get_intent
from core.payments.ledger import history
from core.payments.model import PAID, STATES
from core.payments.refund_service import refund_by_operator
from core.payments.registry import provider_label
from core.payments.tables import PaymentIntent, Refund
from core.web.dependencies import AuditorDep, HallDep
from core.web.paging import paginate
from core.web.context import info
from core.web.forms import Form
from core.web.render import hall_of, redirect_to, render

VIEW = {"auth": "operator", "permission": "core.payments.view"}
REFUND = {"auth": "operator", "permission": "core.payments.refund"}
MAX_REASON = 500
OUTCOMES = {
    "succeeded": N_("The refund was made."),
    "pending": N_("The refund was asked for; the payment service has not confirmed it yet."),
    "failed": N_("The payment service refused the refund; nothing was refunded."),
}


def _zone(request: Request):
    return zone_of(info(request).tenant)


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10]) if text.strip() else None
    except ValueError:
        return None


@get("/console/payments", opt=VIEW, name="console:payments")
async def payments_list(request: Request) -> Response:
    q = request.query_params
    filters = {
        "number": "".join(c for c in (q.get("number") or "") if c.isalnum())[:32],
        "customer": (q.get("customer") or "").strip()[:64],
        "intent": (q.get("intent") or "").strip()[:64],
        "state": q.get("state", "") if q.get("state", "") in STATES else "",
        "from": (q.get("from") or "").strip()[:10],
        "to": (q.get("to") or "").strip()[:10],
    }
    errors = []
    query = PaymentIntent.select().order_by(PaymentIntent.id, ascending=False)
    if filters["intent"]:
        query = query.where(PaymentIntent.public_id == filters["intent"])
    if filters["customer"]:
        query = query.where(PaymentIntent.customer_id == filters["customer"])
    if filters["number"]:
        owner = (
            await ServiceNumber.select(ServiceNumber.customer_legacy_id)
            .where(ServiceNumber.number == filters["number"])
            .first()
        )
        query = query.where(PaymentIntent.customer_id == (owner["customer_legacy_id"] if owner else "\x00none"))
    if filters["state"]:
        query = query.where(PaymentIntent.state == filters["state"])
    zone = _zone(request)
    for key, label in (("from", N_("From")), ("to", N_("To"))):
        if filters[key] and _day(filters[key]) is None:
            errors.append(label)
    start, end = _day(filters["from"]), _day(filters["to"])
    if start:
        query = query.where(PaymentIntent.created_at >= dt.datetime.combine(start, dt.time(), zone))
    if end:
        query = query.where(PaymentIntent.created_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone))
    page = await paginate(request, query)
    when = {r["public_id"]: local(r["created_at"], zone) for r in page.rows}
    return await render(
        request,
        "console/payments.html",
        {
            "intents": page.rows,
            "filters": filters,
            "states": STATES,
            "bad_dates": errors,
            "when": when,
            **page.template_context,
        },
        status=400 if errors else 200,
        audience="operator",
    )


async def _payment_page(
    request: Request, intent_id: str, form: Form, *, notice: str = "", status: int = 200
) -> Response:
    intent = await get_intent(intent_id[:64])
    if intent is None:
        raise NotFoundException()
    zone = _zone(request)
    refunds = await Refund.select().where(Refund.intent_id == intent.id).order_by(Refund.id)
    ledger = await history(intent.id)
    principal = info(request).principal
    return await render(
        request,
        "console/payment.html",
        {
            "intent": intent,
            "ledger": ledger,
            "refunds": refunds,
            "form": form,
            "notice": notice,
            "provider_label": provider_label(hall_of(request), info(request).tenant, intent.provider),
            "local": lambda moment: local(moment, zone, "second"),
            "refundable_fen": intent.amount_fen - intent.refunded_fen if intent.state in PAID else 0,
            "can_refund": bool(principal and principal.can("core.payments.refund")),
        },
        status=status,
        audience="operator",
    )


@get("/console/payments/{intent_id:str}", opt=VIEW, name="console:payment")
async def payment_page(request: Request, intent_id: FromPath[str]) -> Response:
    return await _payment_page(
        request, intent_id, Form(), notice=OUTCOMES.get(request.query_params.get("refund") or "", "")
    )


@post("/console/payments/{intent_id:str}/refund", opt=REFUND, name="console:payment.refund")
async def payment_refund(request: Request, intent_id: FromPath[str], hall: HallDep, auditor: AuditorDep) -> Response:
    intent = await get_intent(intent_id[:64])
    if intent is None:
        raise NotFoundException()
    form = await Form.from_request(request)
    form.require("amount", "reason")
    amount = parse_yuan(form.value("amount")) if form.value("amount") else None
    left = intent.amount_fen - intent.refunded_fen if intent.state in PAID else 0
    if left <= 0:  # the form is not shown then, so a field error would go unseen: say it at the top
        return await _payment_page(
            request, intent_id, form, notice=N_("Nothing is left to refund on this payment."), status=409
        )
    if form.value("amount") and (amount is None or amount <= 0):
        form.error("amount", N_("Enter an amount in yuan, e.g. 12.30."))
    elif amount is not None and amount > left:
        form.error("amount", N_("At most ¥%(amount)s can be refunded."), amount=format_fen(left))
    if len(form.value("reason")) > MAX_REASON:
        form.error("reason", N_("At most %(n)s characters."), n=MAX_REASON)
    if not form.valid:
        return await _payment_page(request, intent_id, form, status=400)
    try:
        outcome = await refund_by_operator(hall, auditor, intent, amount, form.value("reason"))
    except PaymentError:
        form.error("amount", N_("This payment cannot be refunded that much (not paid, or more than what is left)."))
        return await _payment_page(request, intent_id, form, status=409)
    return redirect_to(request, "console:payment", intent_id=intent.id, query={"refund": outcome})


HANDLERS = [payments_list, payment_page, payment_refund]
