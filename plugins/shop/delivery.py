"""Physical orders: an address and a shipping method at checkout, shipped by an operator, received or auto-completed.

created → paid → shipped → completed. Every move is one conditional UPDATE
on the order's state (``… WHERE id = ? AND state = 'paid'``), so two clicks,
two operators or the job racing the buyer move an order once. A paid order
not shipped yet can be canceled by its buyer and is refunded in full through
the payment core. Shipping methods and couriers are the tenant's code tables
(``[plugins.shop] shipping_methods``, ``couriers``).
"""

from __future__ import annotations

import datetime as dt
import re

from core.api import N_
from core.api.db import require_tenant, transaction
from core.api.payments import now, refund
from core.api.web import FieldErrors
from plugins.shop import stock_holds, warehouse
from plugins.shop.checkout import checkout_cart
from plugins.shop.notices import tell
from plugins.shop.tables import CANCELED, COMPLETED, PAID, PHYSICAL, SHIPPED, Delivery, Order

PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")  # a mainland mobile, or a landline with its area code
TRACKING = re.compile(r"[A-Za-z0-9-]{6,32}")
ADDRESS_FIELDS = ("province", "city", "district", "street", "recipient", "phone", "method")
LIMITS = {"province": (2, 20), "city": (2, 20), "district": (2, 20), "street": (5, 120), "recipient": (2, 30)}


def by_code(rows, code: str):
    return next((r for r in rows if r.code == code), None)


def address_values(values: dict[str, str], settings) -> dict:
    """The delivery columns from what the buyer typed; FieldErrors per field (nothing written)."""
    problems = FieldErrors()
    out = {k: " ".join((values.get(k) or "").split()) for k in ADDRESS_FIELDS}
    for name, (low, high) in LIMITS.items():
        if not out[name]:
            problems.add(name, N_("This field is required."))
        elif not low <= len(out[name]) <= high:
            problems.add(name, N_("Enter %(low)s to %(high)s characters."), low=low, high=high)
    out["phone"] = out["phone"].replace(" ", "")
    if not PHONE.fullmatch(out["phone"]):
        problems.add("phone", N_("Enter a mobile number of 11 digits, or a landline with its area code."))
    if by_code(settings.shipping_methods, out["method"]) is None:
        problems.add("method", N_("Choose a shipping method."))
    if problems.errors:
        raise problems
    return out


async def checkout_physical(
    hall, tenant, settings, *, product: dict, customer_id: str, subject: str, contact: dict, address: dict
) -> tuple[dict, object]:
    """An order of one physical product to ``address`` (from :func:`address_values`), and its payment intent.

    The buyer pays the price now plus the method's fee. One unit is held for the order for ``hold_minutes``
    (stock_holds.py); OutOfStock when none is free (every unit held or paid for).
    """
    orders, intent = await checkout_cart(
        hall,
        tenant,
        settings,
        [(product, 1)],
        customer_id=customer_id,
        subject=subject,
        contact=contact,
        address=address,
    )
    return orders[0], intent


def steps_of(order: dict) -> list[tuple[str, object]]:
    """created → paid → shipped → completed, each with when it happened (None: not yet)."""
    return [
        ("created", order["created_at"]),
        ("paid", order["paid_at"]),
        (SHIPPED, order["shipped_at"]),
        (COMPLETED, order["completed_at"]),
    ]


async def delivery_of(order_id: int) -> dict | None:
    return await Delivery.select().where(Delivery.order_id == order_id).first()


async def ship(hall, tenant, settings, order: dict, *, carrier: str, tracking: str, location: str, auditor) -> None:
    """Operator: the paid order left ``location`` with ``carrier`` under ``tracking``: one unit out of that location's
    stock, the buyer (and recipient) told, audited - all in one transaction, or nothing (FieldErrors)."""
    problems = FieldErrors()
    tracking = tracking.strip().upper()
    if by_code(settings.couriers, carrier) is None:
        problems.add("carrier", N_("Choose a courier."))
    if not TRACKING.fullmatch(tracking):
        problems.add("tracking", N_("Enter the tracking number: 6 to 32 letters, digits or -."))
    if problems.errors:
        raise problems
    own = await delivery_of(order["id"])
    host = (
        await Order.select(Order.state).where(Order.id == own["merged_into"]).first()
        if own and own["merged_into"]
        else None
    )
    if host is not None and host["state"] == PAID:  # a host canceled or voided meanwhile: this one ships alone
        problems.add("carrier", N_("This order ships with another order: ship that one."))
        raise problems
    async with transaction():
        moved = (
            await Order.update({Order.state: SHIPPED, Order.shipped_at: now()})
            .where((Order.id == order["id"]) & (Order.state == PAID) & (Order.kind == PHYSICAL))
            .returning(*Order.all_columns())
        )
        if not moved:
            problems.add("carrier", N_("This order cannot be changed that way in its present state."))
            raise problems
        merged = [
            r["order_id"] for r in await Delivery.select(Delivery.order_id).where(Delivery.merged_into == order["id"])
        ]
        if merged:  # the orders merged into this shipment leave with it (those the buyer canceled meanwhile do not)
            moved += (
                await Order.update({Order.state: SHIPPED, Order.shipped_at: now()})
                .where(Order.id.is_in(merged) & (Order.state == PAID))
                .returning(*Order.all_columns())
            )
        for parcel in moved:
            await warehouse.ship_out(parcel, location, actor=auditor.actor)
        await Delivery.update(
            {Delivery.carrier: carrier, Delivery.tracking: tracking, Delivery.shipped_by: auditor.actor[:64]}
        ).where(Delivery.order_id.is_in([m["id"] for m in moved]))
        courier = by_code(settings.couriers, carrier)
        delivery = await delivery_of(order["id"])
        for to in ("", delivery["phone"]) if delivery["phone"] != order["contact_phone"] else ("",):
            language = order["language"] or tenant.language
            name = courier.name_zh if language.startswith("zh") else courier.name_en
            await tell(hall, tenant, moved, "shipped", values={"carrier": name, "tracking": tracking}, to=to)
        await auditor.record(
            "shop.order.ship",
            object_type="shop_order",
            object_id=order["number"],
            before={"state": PAID},
            after={
                "state": SHIPPED,
                "carrier": carrier,
                "tracking": tracking,
                "location": location,
                "orders": [m["number"] for m in moved],
            },
        )


async def _complete(order_id: int, by: str) -> bool:
    async with transaction():
        moved = (
            await Order.update({Order.state: COMPLETED, Order.completed_at: now()})
            .where((Order.id == order_id) & (Order.state == SHIPPED))
            .returning(Order.id)
        )
        if moved:
            stamp = now() if by == "buyer" else None
            await Delivery.update({Delivery.received_at: stamp, Delivery.completed_by: by}).where(
                Delivery.order_id == order_id
            )
    return bool(moved)


async def confirm_receipt(order: dict) -> bool:
    """The buyer got the parcel: shipped → completed (once)."""
    return await _complete(order["id"], "buyer")


async def complete_job(hall, tenant_id: str, **_) -> int:
    """Job ``shop.complete``: orders shipped ``auto_complete_days`` ago and not confirmed are completed. Idempotent."""
    settings = require_tenant().plugin_settings("shop")
    before = now() - dt.timedelta(days=settings.auto_complete_days)
    due = await Order.select(Order.id).where((Order.state == SHIPPED) & (Order.shipped_at < before))
    return sum([await _complete(row["id"], "auto") for row in due])


async def cancel_before_shipping(hall, order: dict, *, reason: str) -> bool:
    """The buyer cancels a paid physical order not shipped yet: refunded in full through the payment core (once)."""
    if order["kind"] != PHYSICAL or order["state"] != PAID:
        return False
    async with transaction():
        moved = (
            await Order.update({Order.state: CANCELED, Order.reason: reason[:200]})
            .where((Order.id == order["id"]) & (Order.state == PAID))
            .returning(Order.id)
        )
        await stock_holds.release([m["id"] for m in moved])  # its promised unit is free again
    if moved and order["intent_id"]:
        await refund(hall, order["intent_id"], int(order["price_fen"]), reason=reason, operator="")
    return bool(moved)
