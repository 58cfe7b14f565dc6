"""Money back for orders that will not be carried out: a cancelled or failed order whose payment step was paid.

Run after the cancellation commits, and by the job ``core.products.run`` for
the cases that could not ask the gateway in their own transaction (a work order
rejected on its page, a payment that arrived after the customer cancelled).
Refunding twice is impossible: the payment core reserves the refund against
what is left of the payment (core/payments/refunds.py), so a second run finds
nothing left.
"""

from __future__ import annotations

import datetime as dt
import logging

from core.products import model
from core.products.states import CANCELLED, FAILED
from core.products.tables import ProductOrder

log = logging.getLogger("hall.products")
LOOK_BACK = dt.timedelta(days=7)  # a late payment arrives within the payment's expiry (hours), never weeks later


async def refund_order(hall, order: dict) -> str | None:
    """Refund what is left of the order's payment; the refund's state, or None when there is nothing to refund."""
    from core.payments import PaymentError, get_intent, refund

    if order["state"] not in (CANCELLED, FAILED) or not order["payment_intent"]:
        return None
    intent = await get_intent(order["payment_intent"])
    if intent is None or not intent.paid:
        return None
    left = intent.amount_fen - intent.refunded_fen
    if left <= 0:
        return None
    try:
        _, state = await refund(
            hall, intent.id, left, reason=f"product order {order['number']} {order['state']}", operator="system"
        )
    except PaymentError as exc:  # reserved meanwhile by another run: nothing left
        log.info("order %s: no refund: %s", order["number"], exc)
        return None
    return state


async def refund_closed(hall) -> int:
    """The sweep: every order cancelled or failed in the last week whose payment was paid and not refunded yet."""
    rows = await ProductOrder.select().where(
        ProductOrder.state.is_in([CANCELLED, FAILED])
        & (ProductOrder.payment_intent != "")
        & (ProductOrder.closed_at > model.now() - LOOK_BACK)
    )
    done = 0
    for order in rows:
        done += (await refund_order(hall, order)) is not None
    return done
