"""The catalog: categories of any depth, products and the price a buyer pays now (list, member, promotion with dates)."""

from __future__ import annotations

import datetime as dt

from core.api.payments import now
from plugins.shop.tables import Category, Product


def price_now(product: dict, *, member: bool, moment: dt.datetime | None = None) -> int:
    """The lowest price that applies: list; member price for a logged-in customer; a promotion between its dates."""
    moment = moment or now()
    prices = [int(product["price_fen"])]
    if member and product.get("member_price_fen"):
        prices.append(int(product["member_price_fen"]))
    start, end = product.get("promo_from"), product.get("promo_until")
    if product.get("promo_price_fen") and (start is None or start <= moment) and (end is None or moment < end):
        prices.append(int(product["promo_price_fen"]))
    return min(prices)


def name_of(row: dict, language: str) -> str:
    return row["name_zh"] if language.startswith("zh") else row["name_en"]


async def category_tree() -> list[dict]:
    """Every category with its ``depth`` and ``path`` (ids from the top), in tree order."""
    rows = await Category.select().order_by(Category.position).order_by(Category.id)
    children: dict[int, list[dict]] = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row)
    out: list[dict] = []

    def walk(parent: int, depth: int, path: list[int]) -> None:
        for row in children.get(parent, []):
            if row["id"] in path:  # a loop typed by hand: stop rather than recurse forever
                continue
            out.append({**row, "depth": depth, "path": [*path, row["id"]]})
            walk(row["id"], depth + 1, [*path, row["id"]])

    walk(0, 0, [])
    return out


async def products(*, category_id: int | None = None, search: str = "") -> list[dict]:
    """Active products, in a category and every category below it, matching ``search`` in either name."""
    query = Product.select().where(Product.active == True)  # noqa: E712
    if category_id:
        below = [c["id"] for c in await category_tree() if category_id in c["path"]]
        query = query.where(Product.category_id.is_in(below or [category_id]))
    if search:
        query = query.where(Product.name_zh.ilike(f"%{search}%") | Product.name_en.ilike(f"%{search}%"))
    return await query.order_by(Product.price_fen).output(load_json=True)


async def product_by_code(code: str) -> dict | None:
    return (
        await Product.select()
        .where((Product.code == code[:32]) & (Product.active == True))  # noqa: E712
        .output(load_json=True)
        .first()
    )


async def count_view(product_id: int) -> None:
    """One product page seen (the first step of the conversion figures)."""
    await Product.update({Product.views: Product.views + 1}).where(Product.id == product_id)
