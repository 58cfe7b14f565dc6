"""After-sales requests (退货 return, 换货 exchange, 挂失 lost card): opened by the buyer, decided by an operator.

Each request is a work order of type ``shop.aftersales`` (aftersales_type.py) and a
row of ``shop_aftersale``. **A decision happens once**: one transaction moves the
row ``open → refund | exchange | rejected`` by a conditional UPDATE, does the
exchange's card or stock change, moves the work order (itself conditional, with
first-responder ownership), tells the buyer and writes the audit entry; a second
click or a second operator finds the row decided and changes nothing. **A refund
happens once**: it is asked after that commit with the key
``shop-aftersales:<id>`` (core.api.payments ``refund(key=…)``), so the operator's
page, the job ``shop.aftersales`` after a crash and any retry all get the same one.
"""

from __future__ import annotations

import logging

from core.api import N_, format_fen, parse_yuan
from core.api.db import transaction
from core.api.payments import PaymentError, get_intent, now, refund, refund_id_for
from core.api.web import FieldErrors, hall_templates
from core.api.workorders import Actor, InvalidData, NotAllowed, WorkOrderError, open_order, transition
from plugins.shop import aftersales_effects as effects
from plugins.shop.aftersales_tables import EXCHANGE, LOST_CARD, OPEN, REFUND, REJECTED, RETURN, WITHDRAWN, AfterSale
from plugins.shop.aftersales_type import ACTIONS, CODE, KIND_LABELS, MAX_REASON, validate
from plugins.shop.delivery import TRACKING, by_code
from plugins.shop.notices import tell
from plugins.shop.tables import COMPLETED, ELECTRONIC, FULFILLED, PHYSICAL, SHIPPED, SOLD, Card, Order

log = logging.getLogger("hall.shop")
OUTCOMES = (REFUND, EXCHANGE, REJECTED)


def key_of(request_id: int) -> str:
    return f"shop-aftersales:{request_id}"


async def kinds_for(order: dict) -> list[str]:
    """The kinds of request that fit the order now: a shipped or received parcel can be returned or exchanged;
    an electronic card not yet used can be returned or reported lost. Nothing else (unpaid, canceled, void, on
    hold; a paid order not shipped or without a card is canceled with a refund instead)."""
    if order["kind"] == PHYSICAL:
        return [RETURN, EXCHANGE] if order["state"] in (SHIPPED, COMPLETED) else []
    if order["state"] not in (FULFILLED, COMPLETED) or not order["card_id"]:
        return []
    card = await Card.select(Card.state).where(Card.id == order["card_id"]).first()
    return [RETURN, LOST_CARD] if card and card["state"] == SOLD else []


def outcomes_for(request: dict) -> tuple[str, ...]:
    """A return is refunded or not; an exchange or a lost card may also be exchanged."""
    return OUTCOMES if request["kind"] in (EXCHANGE, LOST_CARD) else (REFUND, REJECTED)


async def requests_of(order_id: int) -> list[dict]:
    return await AfterSale.select().where(AfterSale.order_id == order_id).order_by(AfterSale.id)


async def refundable(order: dict) -> int:
    """What may still be refunded for the order: its price less its after-sales refunds, within what its payment
    has left (a cart's payment pays several orders)."""
    if not order["intent_id"]:
        return 0
    asked = sum(
        int(r["refund_fen"])
        for r in await AfterSale.select(AfterSale.refund_fen).where(
            (AfterSale.order_id == order["id"]) & (AfterSale.state == REFUND) & (AfterSale.refund_state != "failed")
        )
    )
    intent = await get_intent(order["intent_id"])
    left = int(intent.amount_fen) - int(intent.refunded_fen) if intent else 0
    return max(0, min(int(order["price_fen"]) - asked, left))


def _refused(field: str, message: str, **params) -> FieldErrors:
    problems = FieldErrors()
    problems.add(field, message, **params)
    return problems


async def open_request(hall, tenant, order: dict, *, kind: str, reason: str, actor: Actor, language: str) -> dict:
    """The buyer's request about their order: checked field by field (FieldErrors, nothing written), then the
    row and its work order in one transaction; the buyer is told it was received."""
    reason = " ".join((reason or "").split())
    problems = FieldErrors()
    for name, message in validate({"kind": kind, "reason": reason}).items():
        problems.add(name, message)
    if kind in KIND_LABELS and kind not in await kinds_for(order):
        problems.add("kind", N_("This order cannot have a request of this kind."))
    problems.raise_if_any()
    if await AfterSale.exists().where(AfterSale.open_order == order["id"]):
        raise _refused("kind", N_("This order already has a request waiting for our answer."))
    _ = hall_templates(hall).gettext(tenant.language)  # the title is for the operators
    try:
        async with transaction():
            row = (
                await AfterSale.insert(
                    AfterSale(
                        order_id=order["id"],
                        open_order=order["id"],
                        customer_id=order["customer_id"],
                        kind=kind,
                        reason=reason[:MAX_REASON],
                    )
                ).returning(*AfterSale.all_columns())
            )[0]
            wo = await open_order(
                hall,
                CODE,
                {"kind": kind, "reason": reason, "order": order["number"], "request": row["id"]},
                title=f"{_(KIND_LABELS[kind])} · {order['number']}",
                actor=actor,
                language=language,
            )
            await AfterSale.update({AfterSale.workorder_id: wo["id"], AfterSale.number: wo["number"]}).where(
                AfterSale.id == row["id"]
            )
            await tell(hall, tenant, [order], "aftersales_opened", values={"request": wo["number"]})
    except InvalidData as exc:
        for name, message in exc.errors.items():
            problems.add(name, message)
        raise problems from None
    except WorkOrderError:
        raise
    except Exception:  # the unique index: another request of this order was opened at the same moment
        if await AfterSale.exists().where(AfterSale.open_order == order["id"]):
            raise _refused("kind", N_("This order already has a request waiting for our answer.")) from None
        raise
    return {**row, "workorder_id": wo["id"], "number": wo["number"]}


def _checked(settings, request: dict, order: dict, form: dict, left: int) -> dict:
    """The operator's decision from the form; FieldErrors per field."""
    problems = FieldErrors()
    outcome = form.get("outcome") or ""
    note = " ".join((form.get("note") or "").split())[:500]
    out = {"outcome": outcome, "note": note, "amount": 0}
    if outcome not in outcomes_for(request):
        problems.add("outcome", N_("Choose the outcome."))
    if outcome == REJECTED and not note:
        problems.add("note", N_("Say why the request is not approved."))
    if outcome == REFUND:
        amount = parse_yuan(form.get("amount") or "")
        if amount is None or amount <= 0:
            problems.add("amount", N_("Enter an amount in yuan, such as 12.50."))
        elif amount > left:
            problems.add("amount", N_("At most %(amount)s yuan can be refunded."), amount=format_fen(left))
        out["amount"] = amount or 0
    if outcome == EXCHANGE and order["kind"] == PHYSICAL:
        out["tracking"] = (form.get("tracking") or "").strip().upper()
        out["carrier"] = form.get("carrier") or ""
        out["location"] = form.get("location") or ""
        if by_code(settings.couriers, out["carrier"]) is None:
            problems.add("carrier", N_("Choose a courier."))
        if not TRACKING.fullmatch(out["tracking"]):
            problems.add("tracking", N_("Enter the tracking number: 6 to 32 letters, digits or -."))
    problems.raise_if_any()
    return out


async def decide(hall, tenant, settings, request: dict, form: dict, *, actor: Actor, auditor) -> dict:
    """The operator's outcome, once (see the module's docstring); FieldErrors when refused, nothing changed."""
    order = await Order.select().where(Order.id == request["order_id"]).first()
    if request["state"] != OPEN:
        raise _refused("outcome", N_("This request has been decided already."))
    d = _checked(settings, request, order, form, await refundable(order))
    values = {
        AfterSale.state: d["outcome"],
        AfterSale.open_order: None,
        AfterSale.note: d["note"],
        AfterSale.decided_by: auditor.actor[:64],
        AfterSale.decided_at: now(),
    }
    if d["outcome"] == REFUND:
        values.update({AfterSale.refund_fen: d["amount"], AfterSale.refund_id: refund_id_for(key_of(request["id"]))})
    try:
        async with transaction():
            won = (
                await AfterSale.update(values)
                .where((AfterSale.id == request["id"]) & (AfterSale.state == OPEN))
                .returning(AfterSale.id)
            )
            if not won:
                raise _refused("outcome", N_("This request has been decided already."))
            if order["kind"] == ELECTRONIC and d["outcome"] != REJECTED:
                await effects.void_card(order)
            if d["outcome"] == EXCHANGE and order["kind"] == ELECTRONIC:
                card = await effects.replace_card(order)
                await AfterSale.update({AfterSale.new_card_id: card["id"]}).where(AfterSale.id == request["id"])
            elif d["outcome"] == EXCHANGE:
                await effects.send_replacement(
                    order, location=d["location"], number=request["number"], actor=auditor.actor
                )
                await AfterSale.update(
                    {
                        AfterSale.carrier: d["carrier"],
                        AfterSale.tracking: d["tracking"],
                        AfterSale.location: d["location"],
                    }
                ).where(AfterSale.id == request["id"])
            await transition(hall, request["workorder_id"], ACTIONS[d["outcome"]], actor, comment=d["note"])
            await _tell_decision(hall, tenant, settings, order, request, d)
            await auditor.record(
                "shop.aftersales.decide",
                object_type="shop_order",
                object_id=order["number"],
                before={"request": request["number"], "kind": request["kind"], "state": OPEN},
                after={
                    k: v
                    for k, v in {**d, "state": d["outcome"], "request": request["number"]}.items()
                    if k != "outcome"
                },
            )
    except WorkOrderError as exc:
        raise _refused("outcome", exc.message, **exc.params) from None
    decided = await AfterSale.select().where(AfterSale.id == request["id"]).first()
    if decided["state"] == REFUND:
        await send_refund(hall, decided)
    return await AfterSale.select().where(AfterSale.id == request["id"]).first()


async def _tell_decision(hall, tenant, settings, order: dict, request: dict, d: dict) -> None:
    event = f"aftersales_{d['outcome']}"
    values = {"request": request["number"], "amount": format_fen(d["amount"]), "note": d["note"] or "-"}
    if d["outcome"] == EXCHANGE and order["kind"] == PHYSICAL:
        courier = by_code(settings.couriers, d["carrier"])
        language = order["language"] or tenant.language
        values.update(carrier=courier.name_zh if language.startswith("zh") else courier.name_en, tracking=d["tracking"])
        event = "aftersales_resent"
    await tell(hall, tenant, [order], event, values=values)


async def send_refund(hall, request: dict) -> str:
    """Ask the request's refund (again): keyed by the request, so it is made once however often this runs."""
    order = await Order.select(Order.intent_id).where(Order.id == request["order_id"]).first()
    try:
        _rid, outcome = await refund(
            hall,
            order["intent_id"],
            int(request["refund_fen"]),
            reason=f"after-sales {request['number']}: {request['note']}"[:500],
            operator=request["decided_by"],
            key=key_of(request["id"]),
        )
    except PaymentError:
        log.exception("after-sales %s: the refund was refused", request["number"])
        outcome = "failed"
    await AfterSale.update({AfterSale.refund_state: outcome}).where(AfterSale.id == request["id"])
    return outcome


async def refund_job(hall, tenant_id: str, **_) -> int:
    """Job ``shop.aftersales``: approved refunds not asked yet (a crash after the decision) or still pending."""
    rows = await AfterSale.select().where((AfterSale.state == REFUND) & AfterSale.refund_state.is_in(["", "pending"]))
    return sum([await send_refund(hall, row) == "succeeded" for row in rows])


async def order_of_refund(refund_id: str) -> dict | None:
    """The order an after-sales refund was for (``payment_refunded`` tells its buyer)."""
    row = await AfterSale.select(AfterSale.order_id).where(AfterSale.refund_id == refund_id).first()
    return await Order.select().where(Order.id == row["order_id"]).first() if row else None


async def workorder_changed(hall, tenant, order: dict, event: dict) -> None:
    """In the work order's transaction: a decision only through :func:`decide` (the row is decided already),
    a withdrawal by the buyer closes the request (conditional: a decision that came first wins)."""
    action = event["action"]
    if action in ACTIONS.values():
        row = await AfterSale.select(AfterSale.state).where(AfterSale.workorder_id == order["id"]).first()
        if row is None or ACTIONS.get(row["state"]) != action:
            raise NotAllowed(N_("Decide after-sales requests on the card shop's order page."))
    elif action == "withdraw":
        moved = (
            await AfterSale.update(
                {AfterSale.state: WITHDRAWN, AfterSale.open_order: None, AfterSale.decided_at: now()}
            )
            .where((AfterSale.workorder_id == order["id"]) & (AfterSale.state == OPEN))
            .returning(AfterSale.id)
        )
        if not moved:
            raise NotAllowed(N_("This request has been decided already."))


async def page_context(order: dict) -> dict:
    """What the order pages show of after-sales: the requests, the kinds the buyer may open now, what is refundable."""
    rows = await requests_of(order["id"])
    waiting = any(r["state"] == OPEN for r in rows)
    return {
        "aftersales": rows,
        "aftersales_kinds": [] if waiting else await kinds_for(order),
        "aftersales_refundable": await refundable(order) if waiting else 0,
    }
