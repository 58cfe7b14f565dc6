"""What an approved exchange does to cards and stock, inside the decision's transaction (or nothing: FieldErrors).

A lost electronic card is voided only if it was not redeemed (``sold → void``,
one conditional UPDATE, so a top-up racing the decision wins or loses whole),
and a new card is sold to the order and shown once, like a purchase. A physical
exchange sends a replacement: one unit leaves a location by the warehouse's
conditional take (never below zero) with its movement.
"""

from __future__ import annotations

from core.api import N_
from core.api.payments import now
from core.api.web import FieldErrors
from plugins.shop import stock_holds, warehouse
from plugins.shop.orders import take_free_card
from plugins.shop.tables import FULFILLED, SOLD, VOID, Card, Location, Movement, Order


def refused(field: str, message: str) -> FieldErrors:
    problems = FieldErrors()
    problems.add(field, message)
    return problems


async def void_card(order: dict) -> None:
    """The order's card is voided (sold → void); refused when it was redeemed (or is gone) meanwhile."""
    if not order["card_id"]:
        raise refused("outcome", N_("This order has no card to void."))
    voided = (
        await Card.update({Card.state: VOID})
        .where((Card.id == order["card_id"]) & (Card.state == SOLD))
        .returning(Card.id)
    )
    if not voided:
        raise refused("outcome", N_("The card was already used for a top-up: it cannot be voided."))


async def replace_card(order: dict) -> dict:
    """A free card of the order's product sold to it; the order shows its PIN once again (card ready)."""
    stamp = now()
    card = await take_free_card(
        order["product_id"], order["id"], {Card.state: SOLD, Card.sold_at: stamp, Card.hold_until: None}
    )
    if card is None:
        raise refused("outcome", N_("No card of this product is in stock: add stock, or refund instead."))
    await Order.update(
        {Order.card_id: card["id"], Order.state: FULFILLED, Order.fulfilled_at: stamp, Order.pin_shown_at: None}
    ).where(Order.id == order["id"])
    return card


async def send_replacement(order: dict, *, location: str, number: str, actor: str) -> None:
    """One unit of the order's product leaves ``location`` as the exchange's replacement (FieldErrors: none there)."""
    place = await Location.select(Location.id).where(Location.code == location[:16]).first()
    if place is None:
        raise refused("location", N_("Choose a location."))
    try:
        await warehouse.take(order["product_id"], place["id"], 1)
    except warehouse.NotEnough:
        raise refused("location", N_("The location does not hold that many.")) from None
    if not await stock_holds.take_free(order["product_id"], 1):  # on hand = free + held + paid (stock_holds.py)
        raise refused("location", N_("Those units are promised to orders waiting to ship."))
    await Movement.insert(
        Movement(
            kind="out",
            product_id=order["product_id"],
            quantity=1,
            from_location=place["id"],
            order_id=order["id"],
            reason=f"after-sales exchange {number}"[:200],
            actor=actor[:64],
        )
    )
