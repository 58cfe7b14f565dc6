"""What the console pages show: stock per product and state, batches with their audit, alerts, recent orders."""

from __future__ import annotations

from plugins.shop.alerts import open_alerts
from plugins.shop.audit import count_batches, free_stock
from plugins.shop.merge import ships_with
from plugins.shop.reveal import trail_of
from plugins.shop.tables import CARD_STATES, Card, Delivery, Location, Order, Product, Redemption, Stock


async def overview() -> dict:
    products = await Product.select().order_by(Product.code)
    counts: dict[int, dict] = {}
    for row in await Card.select(Card.product_id, Card.state):
        per = counts.setdefault(row["product_id"], {})
        per[row["state"]] = per.get(row["state"], 0) + 1
    stock = [{**p, "states": counts.get(p["id"], {}), "free": await free_stock(p["id"])} for p in products]
    names = {p["id"]: p["code"] for p in products}
    return {
        "products": stock,
        "states": CARD_STATES,
        "batches": await count_batches(),
        "alerts": await open_alerts(),
        "orders": await Order.select().order_by(Order.created_at, ascending=False).limit(30),
        "redemptions": await Redemption.select().order_by(Redemption.at, ascending=False).limit(30),
        "product_codes": names,
    }


async def order_detail(number: str) -> dict | None:
    order = await Order.select().where(Order.number == number[:32]).first()
    if order is None:
        return None
    card = None
    if order["card_id"]:
        card = (
            await Card.select(Card.serial, Card.state, Card.sold_at, Card.redeemed_at)
            .where(Card.id == order["card_id"])
            .first()
        )
    parcel = await Delivery.select().where(Delivery.order_id == order["id"]).first()
    levels = {
        r["location_id"]: r["quantity"]
        for r in await Stock.select(Stock.location_id, Stock.quantity).where(Stock.product_id == order["product_id"])
    }
    return {
        "order": order,
        "card": card,
        "trail": await trail_of(order["id"]),
        "delivery": parcel,
        "locations": await Location.select().order_by(Location.code) if parcel else [],
        "levels": levels,
        "ships_with": await ships_with(order["id"]) if parcel else [],
        "joined": await _joined(parcel),
    }


async def _joined(parcel: dict | None) -> dict | None:
    """The paid order this one ships with (None: it ships on its own, or that order was canceled or voided)."""
    if not parcel or not parcel["merged_into"]:
        return None
    host = await Order.select(Order.number, Order.state).where(Order.id == parcel["merged_into"]).first()
    return host if host and host["state"] == "paid" else None
