"""The warehouse: stock locations, and every change of stock as a movement (in, out on shipment, transfer, adjustment).

**Never below zero.** Stock leaves a location only by one conditional
UPDATE (``quantity = quantity - n WHERE product = ? AND location = ? AND
quantity >= n``): of any number of concurrent takes, those the stock cannot
cover update nothing and are refused. There is no read-then-write to slip
between. Each movement row is written in the transaction that moves the stock.
"""

from __future__ import annotations

import re

from core.api import N_
from core.api.db import transaction
from core.api.web import FieldErrors
from plugins.shop import stock_holds
from plugins.shop.tables import PHYSICAL, Location, Movement, Product, Stock

CODE = re.compile(r"[A-Z0-9_-]{1,16}")
MAX_QUANTITY = 100_000


class NotEnough(Exception):
    """The location does not hold that many."""


class Promised(Exception):
    """Those units are promised to checkouts and paid orders (stock_holds.py): they may not leave the stock."""


async def locations() -> list[dict]:
    return await Location.select().order_by(Location.code)


async def add_location(code: str, name_zh: str, name_en: str, *, auditor) -> None:
    problems = FieldErrors()
    code = code.strip().upper()
    if not CODE.fullmatch(code):
        problems.add("code", N_("Use 1 to 16 capital letters, digits, - or _."))
    elif await Location.exists().where(Location.code == code):
        problems.add("code", N_("Another location has this code."))
    problems.require(name_zh=name_zh.strip(), name_en=name_en.strip())
    if problems.errors:
        raise problems
    async with transaction():
        await Location.insert(Location(code=code, name_zh=name_zh.strip()[:40], name_en=name_en.strip()[:40]))
        await auditor.record("shop.location.add", object_type="shop_location", object_id=code)


async def _put(product_id: int, location_id: int, quantity: int) -> None:
    """Add to a location's stock (its row made first if there is none)."""
    if not await Stock.exists().where((Stock.product_id == product_id) & (Stock.location_id == location_id)):
        await Stock.insert(Stock(product_id=product_id, location_id=location_id, quantity=0)).on_conflict(
            action="DO NOTHING"
        )
    await Stock.update({Stock.quantity: Stock.quantity + quantity}).where(
        (Stock.product_id == product_id) & (Stock.location_id == location_id)
    )


async def take(product_id: int, location_id: int, quantity: int) -> None:
    """Take ``quantity`` out of a location, in the caller's transaction; NotEnough (nothing changed) when it lacks them."""
    won = (
        await Stock.update({Stock.quantity: Stock.quantity - quantity})
        .where((Stock.product_id == product_id) & (Stock.location_id == location_id) & (Stock.quantity >= quantity))
        .returning(Stock.id)
    )
    if not won:
        raise NotEnough()


def _movement(kind: str, product_id: int, quantity: int, **values) -> Movement:
    return Movement(kind=kind, product_id=product_id, quantity=quantity, **values)


async def _checked(form: dict, *, kinds: tuple[str, ...]) -> dict:
    """product, location(s), quantity and reason of a stock form; FieldErrors per field."""
    problems = FieldErrors()
    out: dict = {"kind": form.get("kind", "")}
    if out["kind"] not in kinds:
        problems.add("kind", N_("Choose what to do."))
    product = (
        await Product.select(Product.id)
        .where((Product.code == (form.get("product") or "")[:32]) & (Product.delivery == PHYSICAL))
        .first()
    )
    if product is None:
        problems.add("product", N_("Choose a product."))
    else:
        out["product_id"] = product["id"]
    codes = {r["code"]: r["id"] for r in await locations()}
    for name in ("location", "to_location") if out["kind"] == "transfer" else ("location",):
        if (form.get(name) or "") not in codes:
            problems.add(name, N_("Choose a location."))
        else:
            out[name] = codes[form[name]]
    if out.get("to_location") and out.get("to_location") == out.get("location"):
        problems.add("to_location", N_("Choose another location to move the stock to."))
    text = (form.get("quantity") or "").strip()
    signed = out["kind"] == "adjust"
    number = int(text) if re.fullmatch(r"-?\d{1,6}" if signed else r"\d{1,6}", text) else 0
    if number == 0 or abs(number) > MAX_QUANTITY:
        problems.add("quantity", N_("Enter a whole number from 1 to 100000 (an adjustment may be negative)."))
    out["quantity"] = number
    out["reason"] = " ".join((form.get("reason") or "").split())[:200]
    if out["kind"] == "adjust" and not out["reason"]:
        problems.add("reason", N_("Say why the stock is adjusted."))
    if problems.errors:
        raise problems
    return out


async def move(form: dict, *, auditor) -> dict:
    """Stock in, a transfer or an adjustment from a console form: the stock and its movement in one transaction."""
    m = await _checked(form, kinds=("in", "transfer", "adjust"))
    product, qty, actor = m["product_id"], m["quantity"], auditor.actor[:64]
    try:
        async with transaction():
            if m["kind"] == "in":
                await _put(product, m["location"], qty)
                await stock_holds.give_back(product, qty)
                row = _movement("in", product, qty, to_location=m["location"], reason=m["reason"], actor=actor)
            elif m["kind"] == "transfer":
                await take(product, m["location"], qty)
                await _put(product, m["to_location"], qty)
                row = _movement(
                    "transfer",
                    product,
                    qty,
                    from_location=m["location"],
                    to_location=m["to_location"],
                    reason=m["reason"],
                    actor=actor,
                )
            elif qty < 0:
                await take(product, m["location"], -qty)
                if not await stock_holds.take_free(product, -qty):
                    raise Promised()
                row = _movement("adjust", product, qty, from_location=m["location"], reason=m["reason"], actor=actor)
            else:
                await _put(product, m["location"], qty)
                await stock_holds.give_back(product, qty)
                row = _movement("adjust", product, qty, to_location=m["location"], reason=m["reason"], actor=actor)
            await Movement.insert(row)
            await auditor.record(
                f"shop.stock.{m['kind']}",
                object_type="shop_product",
                object_id=form.get("product", ""),
                after={k: v for k, v in m.items() if k != "product_id"},
            )
    except NotEnough:
        problems = FieldErrors()
        problems.add("quantity", N_("The location does not hold that many."))
        raise problems from None
    except Promised:
        problems = FieldErrors()
        problems.add("quantity", N_("Those units are promised to orders waiting to ship."))
        raise problems from None
    return m


async def ship_out(order: dict, location_code: str, *, actor: str) -> None:
    """One unit of a shipped order's product leaves ``location_code`` (in the shipment's transaction); FieldErrors."""
    problems = FieldErrors()
    location = await Location.select(Location.id).where(Location.code == location_code[:16]).first()
    if location is None:
        problems.add("location", N_("Choose a location."))
        raise problems
    try:
        await take(order["product_id"], location["id"], 1)
    except NotEnough:
        problems.add("location", N_("The location does not hold that many."))
        raise problems from None
    if not await stock_holds.shipped(order):
        problems.add("location", N_("Those units are promised to orders waiting to ship."))
        raise problems
    await Movement.insert(
        _movement("out", order["product_id"], 1, from_location=location["id"], order_id=order["id"], actor=actor[:64])
    )


async def on_hand(product_id: int) -> int:
    rows = await Stock.select(Stock.quantity).where(Stock.product_id == product_id)
    return sum(r["quantity"] for r in rows)


async def available(product_id: int) -> int:
    """What a buyer may still order: stock on hand less live holds less the paid orders waiting (stock_holds.py)."""
    return await stock_holds.left(product_id)


async def overview() -> dict:
    """The warehouse page: locations, stock per physical product and location, the last movements."""
    places = await locations()
    products = (
        await Product.select(Product.id, Product.code, Product.name_zh, Product.name_en, Product.low_stock)
        .where(Product.delivery == PHYSICAL)
        .order_by(Product.code)
    )
    levels = {(r["product_id"], r["location_id"]): r["quantity"] for r in await Stock.select()}
    rows = [
        {
            **p,
            "levels": [levels.get((p["id"], loc["id"]), 0) for loc in places],
            "total": sum(levels.get((p["id"], loc["id"]), 0) for loc in places),
        }
        for p in products
    ]
    names = {loc["id"]: loc["code"] for loc in places}
    codes = {p["id"]: p["code"] for p in products}
    moves = await Movement.select().order_by(Movement.id, ascending=False).limit(50)
    return {"locations": places, "stock": rows, "movements": moves, "location_codes": names, "product_codes": codes}
