"""Operator: merge two paid, unshipped physical orders of one customer to one address into one shipment.

The merged order keeps its own payment, price and state; its delivery row
points at the order it ships with (``merged_into``), and shipping that order
ships both (delivery.ship). One conditional update (``merged_into IS NULL``)
makes a merge happen once; it is audited with its reason.
"""

from __future__ import annotations

from core.api import N_
from core.api.db import transaction
from core.api.web import FieldErrors
from plugins.shop.tables import PAID, PHYSICAL, Delivery, Order

SAME = ("province", "city", "district", "street", "recipient", "phone")


async def merge(order: dict, other_number: str, *, reason: str, auditor) -> None:
    """Merge the order ``other_number`` into ``order``'s shipment; FieldErrors (``other``, ``merge_reason``) when it cannot."""
    problems = FieldErrors()
    reason = " ".join(reason.split())[:200]
    if not reason:
        problems.add("merge_reason", N_("This field is required."))
    other = await Order.select().where(Order.number == other_number.strip()[:32]).first()
    if other is None or other["id"] == order["id"]:
        problems.add("other", N_("Enter the number of another order."))
    if problems.errors:
        raise problems
    mine = await Delivery.select().where(Delivery.order_id == order["id"]).first()
    theirs = await Delivery.select().where(Delivery.order_id == other["id"]).first()
    if not (
        mine and theirs and order["kind"] == PHYSICAL == other["kind"] and order["state"] == PAID == other["state"]
    ):
        problems.add("other", N_("Only two paid orders not shipped yet can be merged."))
    elif order["customer_id"] != other["customer_id"] or any(mine[k] != theirs[k] for k in SAME):
        problems.add("other", N_("The orders go to different customers or addresses."))
    elif mine["merged_into"] is not None:
        problems.add("other", N_("This order already ships with another order."))
    if problems.errors:
        raise problems
    async with transaction():
        moved = (
            await Delivery.update({Delivery.merged_into: order["id"]})
            .where((Delivery.order_id == other["id"]) & Delivery.merged_into.is_null())
            .returning(Delivery.id)
        )
        if not moved:
            problems.add("other", N_("This order already ships with another order."))
            raise problems
        await Delivery.update({Delivery.merged_into: order["id"]}).where(Delivery.merged_into == other["id"])
        await auditor.record(
            "shop.order.merge",
            object_type="shop_order",
            object_id=order["number"],
            after={"merged": other["number"], "reason": reason},
        )


async def ships_with(order_id: int) -> list[dict]:
    """The orders merged into ``order_id``'s shipment."""
    ids = [r["order_id"] for r in await Delivery.select(Delivery.order_id).where(Delivery.merged_into == order_id)]
    return await Order.select().where(Order.id.is_in(ids)).order_by(Order.id) if ids else []
