"""Stock holds of physical products: a checkout promises units to its orders, payment keeps them, shipment ends them.

**The invariant**, for every physical product at every commit::

    on hand (all locations) = stock_free + held (holds not yet released, live or expired) + paid (waiting to ship)
    stock_free >= 0

so on hand >= held + paid: the shop never promises a unit it does not have. ``shop_product.stock_free`` only
goes down by one conditional UPDATE (``… SET stock_free = stock_free - n WHERE id = ? AND stock_free >= n``):
concurrent checkouts for the last K units all aim at the product's row, K of them update it and the rest update
nothing and are refused (no read-then-write to slip between, on SQLite and PostgreSQL alike). Each hold is a row
(``shop_stock_hold``) whose state moves once, by conditional updates: held → paid (the settlement) → shipped (one
unit leaves a location: on hand and paid both drop by one), or held/paid → released (checkout expired or canceled,
paid order canceled or voided: the units go back to ``stock_free``). An expired hold still counts until it is
released (at the next checkout of the product, or by the job ``shop.fulfil``); what a buyer sees as *In stock*
counts it as free.
"""

from __future__ import annotations

import logging

from core.api.payments import now
from plugins.shop.alerts import raise_alert
from plugins.shop.tables import HELD, HOLD_PAID, HOLD_SHIPPED, RELEASED, Product, StockHold

log = logging.getLogger("hall.shop")


async def take_free(product_id: int, quantity: int) -> bool:
    """Promise ``quantity`` units (one conditional UPDATE); False, nothing changed, when fewer are free."""
    won = (
        await Product.update({Product.stock_free: Product.stock_free - quantity})
        .where((Product.id == product_id) & (Product.stock_free >= quantity))
        .returning(Product.id)
    )
    return bool(won)


async def give_back(product_id: int, quantity: int) -> None:
    """Units that are free again: put in stock, or a promise released."""
    if quantity:
        await Product.update({Product.stock_free: Product.stock_free + quantity}).where(Product.id == product_id)


async def _released(rows: list[dict]) -> int:
    for row in rows:
        await give_back(row["product_id"], row["quantity"])
    return sum(r["quantity"] for r in rows)


async def release_expired(product_id: int | None = None) -> int:
    """Holds of unpaid checkouts past their time give their units back (conditional: each once). In a transaction."""
    query = StockHold.update({StockHold.state: RELEASED}).where(
        (StockHold.state == HELD) & (StockHold.hold_until < now())
    )
    if product_id is not None:
        query = query.where(StockHold.product_id == product_id)
    return await _released(await query.returning(StockHold.product_id, StockHold.quantity))


async def hold(product_id: int, order_id: int, quantity: int, until) -> bool:
    """Hold ``quantity`` units for an unpaid order until ``until`` (in the caller's transaction); False when not free."""
    if not await take_free(product_id, quantity):
        if not await release_expired(product_id) or not await take_free(product_id, quantity):
            return False
    await StockHold.insert(StockHold(order_id=order_id, product_id=product_id, quantity=quantity, hold_until=until))
    return True


async def on_paid(order: dict) -> bool:
    """The settlement: the order's hold is kept for shipment (held → paid). A hold released before the money came is
    taken again if a unit is free; else the order waits without one and an alert says so. In the settlement's
    transaction."""
    kept = (
        await StockHold.update({StockHold.state: HOLD_PAID, StockHold.hold_until: None})
        .where((StockHold.order_id == order["id"]) & (StockHold.state == HELD))
        .returning(StockHold.id)
    )
    if kept:
        return True
    if await take_free(order["product_id"], 1):
        again = (
            await StockHold.update({StockHold.state: HOLD_PAID, StockHold.hold_until: None, StockHold.quantity: 1})
            .where((StockHold.order_id == order["id"]) & (StockHold.state == RELEASED))
            .returning(StockHold.id)
        )
        if not again:
            await StockHold.insert(
                StockHold(order_id=order["id"], product_id=order["product_id"], quantity=1, state=HOLD_PAID)
            )
        return True
    await raise_alert("order_without_stock", order["number"], "paid, every unit promised: stock in or refund")
    log.warning("order %s: paid with no unit free", order["number"])
    return False


async def release(order_ids: list[int]) -> int:
    """Canceled or voided orders give their held or paid units back (once). In the caller's transaction."""
    if not order_ids:
        return 0
    rows = (
        await StockHold.update({StockHold.state: RELEASED})
        .where(StockHold.order_id.is_in(order_ids) & StockHold.state.is_in([HELD, HOLD_PAID]))
        .returning(StockHold.product_id, StockHold.quantity)
    )
    return await _released(rows)


async def shipped(order: dict) -> bool:
    """The order's unit leaves a location (in the shipment's transaction): its paid hold ends. An order paid without
    one (no unit was free) takes a free unit now; False when none is."""
    ended = (
        await StockHold.update({StockHold.state: HOLD_SHIPPED})
        .where((StockHold.order_id == order["id"]) & (StockHold.state == HOLD_PAID))
        .returning(StockHold.id)
    )
    return bool(ended) or await take_free(order["product_id"], 1)


async def left(product_id: int) -> int:
    """What a buyer may still order: on hand less live holds less paid orders waiting (expired holds count as free)."""
    product = await Product.select(Product.stock_free).where(Product.id == product_id).first()
    expired = await StockHold.select(StockHold.quantity).where(
        (StockHold.product_id == product_id) & (StockHold.state == HELD) & (StockHold.hold_until < now())
    )
    return (product["stock_free"] if product else 0) + sum(r["quantity"] for r in expired)


async def promised(product_id: int) -> int:
    """Units held or paid for, not shipped: what the invariant subtracts from on hand."""
    rows = await StockHold.select(StockHold.quantity).where(
        (StockHold.product_id == product_id) & StockHold.state.is_in([HELD, HOLD_PAID])
    )
    return sum(r["quantity"] for r in rows)
