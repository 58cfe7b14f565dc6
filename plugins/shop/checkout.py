"""One checkout of a cart: electronic cards and physical products together, one payment, one address.

Each unit is an order of its own (the model of the cart of cards): a card order holds one card
(orders.py), a physical order holds one unit of stock (stock_holds.py) and has its delivery row. The
checkout's physical orders go in one parcel: the first carries the shipping fee and the others are
merged into its shipment (``merged_into``, as an operator's merge), so shipping it ships them all.
All or nothing: when one card or unit cannot be held, nothing is written and OutOfStock is raised.
"""

from __future__ import annotations

import datetime as dt
import secrets

from core.api.db import transaction
from core.api.payments import Intent, now
from plugins.shop import stock_holds
from plugins.shop.catalog import price_now
from plugins.shop.orders import OutOfStock, open_payment, take_free_card
from plugins.shop.tables import ELECTRONIC, PHYSICAL, Card, Delivery, Order

ADDRESS_COLUMNS = ("province", "city", "district", "street", "recipient", "phone", "method")


def _order(product: dict, token: str, customer_id: str, contact: dict, fee_fen: int, hold_until) -> Order:
    return Order(
        number=secrets.token_hex(8),
        checkout=token,
        customer_id=customer_id,
        product_id=product["id"],
        price_fen=price_now(product, member=True) + fee_fen,
        kind=PHYSICAL if product["delivery"] == PHYSICAL else ELECTRONIC,
        hold_until=hold_until,
        contact_email=(contact.get("contact_email") or "")[:254],
        contact_phone=(contact.get("contact_phone") or "")[:32],
        language=(contact.get("language") or "")[:8],
    )


async def checkout(
    hall, tenant, settings, *, product: dict, customer_id: str, subject: str, contact: dict | None = None
) -> tuple[dict, Intent]:
    """An order of one card with a card held for ``hold_minutes``, and its payment intent. OutOfStock when none is free."""
    orders, intent = await checkout_cart(
        hall, tenant, settings, [(product, 1)], customer_id=customer_id, subject=subject, contact=contact
    )
    return orders[0], intent


async def checkout_cart(
    hall,
    tenant,
    settings,
    lines: list[tuple[dict, int]],
    *,
    customer_id: str,
    subject: str,
    contact: dict | None = None,
    address: dict | None = None,
) -> tuple[list[dict], Intent]:
    """Orders for every unit of ``lines`` (product, quantity), each held for ``hold_minutes``, and one payment.

    ``address`` (delivery.address_values) is required when a line is physical; its method's fee is paid once.
    """
    contact = contact or {}
    physical = any(product["delivery"] == PHYSICAL for product, _quantity in lines)
    if physical and address is None:
        raise ValueError("a physical product needs an address")
    method = next((m for m in settings.shipping_methods if m.code == address["method"]), None) if physical else None
    if physical and method is None:
        raise ValueError("unknown shipping method")
    hold_until = now() + dt.timedelta(minutes=settings.hold_minutes)
    token = secrets.token_hex(8)
    made: list[dict] = []
    parcel: int | None = None  # the order the checkout's parcel ships with
    async with transaction():
        # products in id order: two checkouts lock the same product rows in the same order (no deadlock)
        for product, quantity in sorted(lines, key=lambda line: line[0]["id"]):
            for _ in range(quantity):
                fee = method.fee_fen if product["delivery"] == PHYSICAL and parcel is None else 0
                row = _order(product, token, customer_id, contact, fee, hold_until)
                order = (await Order.insert(row).returning(*Order.all_columns()))[0]
                if product["delivery"] != PHYSICAL:
                    if await take_free_card(product["id"], order["id"], {Card.hold_until: hold_until}) is None:
                        raise OutOfStock()  # rolls every order back: a refused checkout leaves nothing behind
                else:
                    if not await stock_holds.hold(product["id"], order["id"], 1, hold_until):
                        raise OutOfStock()
                    columns = {k: address[k] for k in ADDRESS_COLUMNS}
                    await Delivery.insert(Delivery(order_id=order["id"], fee_fen=fee, merged_into=parcel, **columns))
                    parcel = parcel or order["id"]
                made.append(order)
    if not made:
        raise OutOfStock()
    intent = await open_payment(hall, tenant, settings, token, made, customer_id=customer_id, subject=subject)
    return [{**o, "intent_id": intent.id} for o in made], intent
