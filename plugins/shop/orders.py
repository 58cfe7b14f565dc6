"""Orders of electronic cards: a card held (take_free_card, for checkout.py), paid, allocated once, canceled, acted on.

**Never oversold.** Checkout holds one card for the order by a conditional
UPDATE (``… SET order_id, hold_until WHERE id = ? AND state = 'in_stock' AND
(hold_until IS NULL OR hold_until < now)``): two checkouts racing for the
last card both try the same row, one updates it, the other updates nothing
and tries the next free card, and with none left is refused. An expired hold
is simply free again.

**Exactly one card per paid order.** The allocation runs in
``payment_succeeded`` - inside the payment core's settlement transaction,
which happens once per payment - and marks the order by a conditional update
(``card_id IS NULL``). A crash before that commit leaves the payment open; the
gateway's retry or the reconciliation job settles it later, allocating then.
If no card is left when the money arrives, the order stays ``paid`` with an
alert, and the job ``shop.fulfil`` allocates when stock returns.
"""

from __future__ import annotations

import datetime as dt
import logging

from core.api import format_fen
from core.api.db import require_tenant, transaction
from core.api.payments import Intent, PaymentError, cancel, create_intent, enabled_providers, now, refund
from plugins.shop import stock_holds
from plugins.shop.alerts import raise_alert
from plugins.shop.notices import tell
from plugins.shop.tables import (
    CANCELED,
    COMPLETED,
    CREATED,
    ELECTRONIC,
    FULFILLED,
    IN_STOCK,
    ON_HOLD,
    PAID,
    SOLD,
    VOID,
    VOIDED,
    Card,
    Order,
    Product,
)

log = logging.getLogger("hall.shop")
OWNER = PURPOSE = "shop"


class OutOfStock(Exception):
    """No card of the product can be held now."""


def _free(moment: dt.datetime):
    return (Card.state == IN_STOCK) & (Card.hold_until.is_null() | (Card.hold_until < moment))


async def take_free_card(product_id: int, order_id: int, changes: dict) -> dict | None:
    """Take one free card of the product for ``order_id`` (conditional update, retried on the next card if lost)."""
    tried: set[int] = set()
    while True:
        moment = now()
        candidates = (
            await Card.select(Card.id)
            .where((Card.product_id == product_id) & _free(moment) & Card.id.not_in(list(tried) or [0]))
            .order_by(Card.id)
            .limit(8)
        )
        if not candidates:
            return None
        for row in candidates:
            tried.add(row["id"])
            won = (
                await Card.update({Card.order_id: order_id, **changes})
                .where((Card.id == row["id"]) & _free(moment))
                .returning(Card.id, Card.serial, Card.face_value_fen)
            )
            if won:
                return won[0]


def provider_of(hall, tenant, settings) -> str:
    providers = enabled_providers(hall, tenant)
    if settings.provider:
        return settings.provider
    if not providers:
        raise PaymentError("no payment provider")
    return providers[0]


async def open_payment(
    hall, tenant, settings, token: str, made: list[dict], *, customer_id: str, subject: str
) -> Intent:
    """The payment intent of a checkout's orders; the buyer hears of the order once it can be paid."""
    intent = await create_intent(
        hall,
        purpose=PURPOSE,
        owner=OWNER,
        reference=token,
        customer_id=customer_id,
        amount_fen=sum(o["price_fen"] for o in made),
        provider=provider_of(hall, tenant, settings),
        subject=subject,
        idempotency_key=f"shop:{token}",
        metadata={"orders": [o["number"] for o in made], "physical": any(o["kind"] != ELECTRONIC for o in made)},
    )
    async with transaction():
        await Order.update({Order.intent_id: intent.id}).where(Order.checkout == token)
        await tell(hall, tenant, made, "placed")
    return intent


async def allocate(order: dict) -> dict | None:
    """Sell the order its held card, or any free one; None (and an alert) when none is left. Inside a transaction."""
    stamp = now()
    sold = {Card.state: SOLD, Card.sold_at: stamp, Card.hold_until: None}
    card = (
        await Card.update(sold)
        .where((Card.order_id == order["id"]) & (Card.state == IN_STOCK))
        .returning(Card.id, Card.serial, Card.face_value_fen)
    )
    card = card[0] if card else await take_free_card(order["product_id"], order["id"], sold)
    if card is None:
        await raise_alert("order_without_card", order["number"], "paid, no card in stock: add stock or refund")
        return None
    marked = (
        await Order.update({Order.card_id: card["id"], Order.state: FULFILLED, Order.fulfilled_at: stamp})
        .where((Order.id == order["id"]) & Order.card_id.is_null())
        .returning(Order.id)
    )
    if not marked:  # already had one (cannot happen through settle(), which runs once): give this card back
        raise RuntimeError(f"order {order['number']} already has a card")
    log.info("order %s: card %s allocated", order["number"], card["serial"])
    return card


async def paid(hall, tenant, intent: Intent) -> None:
    """``payment_succeeded``: mark the checkout's orders paid, allocate their cards and tell the buyer, in the
    settlement's transaction."""
    marked = (
        await Order.update({Order.state: PAID, Order.paid_at: now()})
        .where((Order.checkout == intent.reference) & Order.paid_at.is_null())
        .returning(*Order.all_columns())
    )
    for order in sorted(marked, key=lambda o: o["id"]):
        if order["kind"] == ELECTRONIC:  # a physical order waits, paid, for the operator to ship it
            await allocate(order)
        else:  # its units stay promised until it ships (stock_holds.py)
            await stock_holds.on_paid(order)
    await tell(hall, tenant, sorted(marked, key=lambda o: o["id"]), "paid")


async def refunded(hall, tenant, intent: Intent, refund: dict) -> None:
    """``payment_refunded``: tell the buyer, in the transaction that records the refund (once per refund).

    The order it was for is the checkout's canceled or voided one (a cart's payment pays several orders), or the
    order of the after-sales request the refund was keyed by.
    """
    from plugins.shop.aftersales import order_of_refund

    if (aftersale := await order_of_refund(refund["refund_id"])) is not None:
        await tell(hall, tenant, [aftersale], "refunded", values={"amount": format_fen(int(refund["amount_fen"]))})
        return
    orders = (
        await Order.select()
        .where((Order.checkout == intent.reference) & Order.state.is_in([CANCELED, VOIDED]))
        .order_by(Order.id)
    )
    matching = [o for o in orders if int(o["price_fen"]) == int(refund["amount_fen"])]
    about = matching[-1:] or orders
    await tell(hall, tenant, about, "refunded", values={"amount": format_fen(int(refund["amount_fen"]))})


async def fulfil_job(hall, tenant_id: str, **_) -> int:
    """Paid orders still without a card (stock ran out when the money came): allocate now; expired stock holds of
    physical products are released. Idempotent."""
    done = 0
    async with transaction():
        await stock_holds.release_expired()
    for order in await Order.select().where(
        (Order.state == PAID) & Order.card_id.is_null() & (Order.kind == ELECTRONIC)
    ):
        async with transaction():
            if await allocate(order):
                done += 1
    return done


async def cancel_unpaid(hall, order: dict, *, reason: str) -> bool:
    """The buyer (or an operator) cancels before payment: the payment is closed, the hold freed."""
    if order["state"] != CREATED:
        return False
    if order["intent_id"]:
        try:
            await cancel(hall, order["intent_id"], reason="order canceled")
        except Exception:  # the gateway unreachable, or it refused to close (paid just now): try again later
            log.warning("order %s: the payment could not be closed now", order["number"])
            return False
    async with transaction():
        moved = (
            await Order.update({Order.state: CANCELED, Order.reason: reason[:200], Order.hold_until: None})
            .where((Order.checkout == order["checkout"]) & (Order.state == CREATED))
            .returning(Order.id)
        )
        if moved:  # every order of the checkout: they share the payment that was closed
            await Card.update({Card.order_id: None, Card.hold_until: None}).where(
                Card.order_id.is_in([m["id"] for m in moved]) & (Card.state == IN_STOCK)
            )
            await stock_holds.release([m["id"] for m in moved])
            canceled = await Order.select().where(Order.id.is_in([m["id"] for m in moved])).order_by(Order.id)
            await tell(hall, require_tenant(), canceled, "canceled")
    return bool(moved)


async def cancel_paid_without_card(hall, order: dict, *, reason: str) -> bool:
    """The buyer cancels a paid order that never got a card (stock ran out when the money came): refunded in full."""
    if order["state"] != PAID or order["card_id"] is not None:
        return False
    moved = (
        await Order.update({Order.state: CANCELED, Order.reason: reason[:200]})
        .where((Order.id == order["id"]) & (Order.state == PAID) & Order.card_id.is_null())
        .returning(Order.id)
    )
    if moved and order["intent_id"]:
        await refund(hall, order["intent_id"], order["price_fen"], reason=reason, operator="")
    return bool(moved)


async def void_order(hall, order: dict, *, reason: str, operator: str) -> bool:
    """Operator: void a paid order whose card was not used; the card is voided and the money refunded."""
    if order["state"] not in (PAID, FULFILLED, ON_HOLD, COMPLETED):
        return False
    async with transaction():
        if order["card_id"]:
            voided = (
                await Card.update({Card.state: VOID})
                .where((Card.id == order["card_id"]) & (Card.state == SOLD))
                .returning(Card.id)
            )
            if not voided:
                return False  # redeemed already: nothing to void
        await Order.update({Order.state: VOIDED, Order.reason: reason[:200]}).where(Order.id == order["id"])
        await stock_holds.release([order["id"]])  # a physical order's promised unit is free again
    if order["intent_id"]:
        await refund(hall, order["intent_id"], order["price_fen"], reason=reason, operator=operator)
    return True


async def hold_order(order: dict, *, reason: str) -> bool:
    """Operator: put an order on hold (its PIN cannot be shown until released), or release it."""
    target = FULFILLED if order["state"] == ON_HOLD else ON_HOLD
    if order["state"] not in (FULFILLED, ON_HOLD):
        return False
    await Order.update({Order.state: target, Order.reason: reason[:200]}).where(Order.id == order["id"])
    return True


async def order_by_number(number: str) -> dict | None:
    return await Order.select().where(Order.number == number[:32]).first()


async def orders_of(customer_id: str) -> list[dict]:
    rows = await Order.select().where(Order.customer_id == customer_id).order_by(Order.created_at, ascending=False)
    names = {p["id"]: p for p in await Product.select(Product.id, Product.name_zh, Product.name_en)}
    return [{**r, "product": names.get(r["product_id"])} for r in rows]
