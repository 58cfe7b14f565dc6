"""The cart, kept in the database: a visitor's under a cookie token, a customer's under their id.

It takes electronic cards and physical products alike; checkout.py turns it into orders and one payment.

A visitor's cart joins the customer's the first time the cart is used after
logging in (the token cookie survives the log-in): quantities add up, capped.
"""

from __future__ import annotations

import secrets

from core.api.db import transaction
from core.api.payments import now
from plugins.shop.tables import CartLine, Product

COOKIE = "hall_shop_cart"
MAX_PER_LINE = 5
MAX_LINES = 10


def visitor_owner(token: str) -> str | None:
    token = (token or "").strip()
    return f"v:{token}" if len(token) == 32 and all(c in "0123456789abcdef" for c in token) else None


def new_token() -> str:
    return secrets.token_hex(16)


async def merge(visitor: str, customer: str) -> int:
    """Move a visitor's lines into the customer's cart (quantities add up, capped); how many lines moved."""
    async with transaction():
        lines = await CartLine.select().where(CartLine.owner == visitor)
        for line in lines:
            await add(customer, line["product_id"], line["quantity"])
        await CartLine.delete().where(CartLine.owner == visitor)
    return len(lines)


async def add(owner: str, product_id: int, quantity: int) -> None:
    quantity = max(1, min(MAX_PER_LINE, quantity))
    mine = await CartLine.select().where((CartLine.owner == owner) & (CartLine.product_id == product_id)).first()
    if mine:
        await CartLine.update(
            {CartLine.quantity: min(MAX_PER_LINE, mine["quantity"] + quantity), CartLine.updated_at: now()}
        ).where(CartLine.id == mine["id"])
    elif await CartLine.count().where(CartLine.owner == owner) < MAX_LINES:
        await CartLine.insert(CartLine(owner=owner, product_id=product_id, quantity=quantity)).on_conflict(
            target=(CartLine.tenant, CartLine.owner, CartLine.product_id), action="DO NOTHING"
        )


async def remove(owner: str, product_id: int) -> None:
    await CartLine.delete().where((CartLine.owner == owner) & (CartLine.product_id == product_id))


async def clear(owner: str) -> None:
    await CartLine.delete().where(CartLine.owner == owner)


async def lines_of(owner: str) -> list[dict]:
    """The cart's lines with their active products (electronic cards and physical products)."""
    lines = await CartLine.select().where(CartLine.owner == owner).order_by(CartLine.id)
    if not lines:
        return []
    products = {
        p["id"]: p
        for p in await Product.select()
        .where(Product.id.is_in([line["product_id"] for line in lines]) & (Product.active == True))  # noqa: E712
        .output(load_json=True)
    }
    return [{**line, "product": products[line["product_id"]]} for line in lines if line["product_id"] in products]
