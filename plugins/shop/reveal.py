"""Showing a sold card's PIN: once after payment; again only after a fresh one-time code. Every showing is in the trail.

The PIN is opened from its sealed copy only here, only for the buyer's own
order, and never logged. The order page that shows it is ``no-store``.
"""

from __future__ import annotations

from core.api.db import transaction
from core.api.payments import now
from plugins.shop.pins import PinKeys, grouped
from plugins.shop.tables import COMPLETED, FULFILLED, Card, Order, PinAccess

PURPOSE = "shop_pin"


async def _open(keys: PinKeys, card_id: int) -> dict:
    card = await Card.select(Card.id, Card.serial, Card.pin_sealed, Card.state).where(Card.id == card_id).first()
    return {
        "serial": card["serial"],
        "pin": grouped(keys.open(card["serial"], card["pin_sealed"])),
        "state": card["state"],
    }


async def _trail(order: dict, how: str, address: str) -> None:
    await PinAccess.insert(
        PinAccess(
            order_id=order["id"],
            card_id=order["card_id"],
            customer_id=order["customer_id"],
            how=how,
            client_address=address[:64],
        )
    )


async def first_view(keys: PinKeys, order: dict, address: str) -> dict | None:
    """The PIN, the first time only (the order moves to completed in the same transaction); None afterwards."""
    if order["state"] != FULFILLED or order["card_id"] is None or order["pin_shown_at"] is not None:
        return None
    async with transaction():
        won = (
            await Order.update({Order.pin_shown_at: now(), Order.state: COMPLETED})
            .where((Order.id == order["id"]) & Order.pin_shown_at.is_null() & (Order.state == FULFILLED))
            .returning(Order.id)
        )
        if not won:
            return None
        await _trail(order, "first", address)
    return await _open(keys, order["card_id"])


async def view_again(keys: PinKeys, order: dict, address: str) -> dict | None:
    """After a one-time code was checked: the PIN again, written to the trail. None for an order on hold or void."""
    if order["state"] != COMPLETED or order["card_id"] is None:
        return None
    await _trail(order, "code", address)
    return await _open(keys, order["card_id"])


async def trail_of(order_id: int) -> list[dict]:
    return await PinAccess.select().where(PinAccess.order_id == order_id).order_by(PinAccess.at)
