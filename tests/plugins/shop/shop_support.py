"""A tenant ``alpha`` with the shop and the fake gateway: two products, a customer who buys, a holder whose number is topped up."""

from __future__ import annotations

import re

from core.api.testing import FakePaymentPlugin, TenantSpec, add_operator, make_customer, register_customer, sync
from plugins.shop import batches, warehouse
from plugins.shop.pins import keys_for
from plugins.shop.tables import Card, Category, Product

SETTINGS = {"address_hourly_failures": 5, "account_daily_failures": 8, "number_daily_failures": 12, "pin_digits": 18}
BUYER_PHONE = "13800000001"
HOLDER_NUMBER = "13900000001"


def build(hall_factory, settings: dict | None = None):
    """(harness, fake payment plugin, ids)."""
    plugin = FakePaymentPlugin()
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["shop"],
                payments={"providers": ["fake"]},
                plugin_settings={"shop": {**SETTINGS, **(settings or {})}},
            ),
            TenantSpec("beta", plugins=["shop"], language="en", payments={"providers": ["fake"]}),
        ],
        extra_plugins={"fakepay": plugin},
    )
    buyer = make_customer(400, name="张买家", numbers=(BUYER_PHONE,), phone=BUYER_PHONE)
    register_customer(harness, "alpha", buyer)
    holder = make_customer(401, name="李持有", numbers=(HOLDER_NUMBER,), phone=HOLDER_NUMBER)
    harness.connectors["alpha"].customers.append(holder)
    sync(harness, "alpha")
    products = harness.in_tenant("alpha", make_catalog)
    ids = {
        "buyer": buyer,
        "holder": holder,
        "products": products,
        "clerk": add_operator(harness, "alpha", "shop-clerk", permissions=["shop.view", "shop.manage", "shop.orders"]),
    }
    return harness, plugin, ids


async def make_catalog() -> dict:
    top = (await Category.insert(Category(name_zh="充值卡", name_en="Top-up cards")).returning(Category.id))[0]["id"]
    phone = (
        await Category.insert(Category(parent_id=top, name_zh="话费卡", name_en="Phone cards")).returning(Category.id)
    )[0]["id"]
    out = {}
    for code, face, price in (("P50", 5000, 4900), ("P100", 10000, 9800)):
        row = await Product.insert(
            Product(
                code=code,
                category_id=phone,
                name_zh=f"{face // 100}元话费卡",
                name_en=f"¥{face // 100} phone card",
                face_value_fen=face,
                price_fen=price,
                low_stock=2,
            )
        ).returning(Product.id)
        out[code] = row[0]["id"]
    return out


def add_cards(harness, product_id: int, count: int, *, tid: str = "alpha", state: str = "in_stock") -> dict:
    """A generated batch moved to ``state``; returns the batch row."""

    async def go():
        batch = await batches.generate(keys_for(harness.hall, harness.tenant(tid)), product_id, count, digits=18)
        await batches.stock(batch["id"])
        if state == "sold":
            await batches.move(batch["id"], "in_stock", "sold")
        return batch

    return harness.in_tenant(tid, go)


def pins_of(harness, batch_id: int, tid: str = "alpha") -> dict[str, str]:
    """serial → PIN, opened from the sealed copies (what the printer's export holds)."""
    keys = keys_for(harness.hall, harness.tenant(tid))

    async def go():
        rows = await Card.select(Card.serial, Card.pin_sealed).where(Card.batch_id == batch_id)
        return {r["serial"]: keys.open(r["serial"], r["pin_sealed"]) for r in rows}

    return harness.in_tenant(tid, go)


def sms_code(harness, phone: str) -> str:
    from core.notify.tables import Message

    async def last():
        return (
            await Message.select(Message.body_text)
            .where((Message.channel == "sms") & (Message.recipient == phone))
            .order_by(Message.id, ascending=False)
            .first()
        )

    return re.search(r"\b(\d{6})\b", harness.in_tenant("alpha", last)["body_text"]).group(1)


ADDRESS = {
    "province": "江苏省",
    "city": "南京市",
    "district": "鼓楼区",
    "street": "中山北路 1 号 2 幢 301 室",
    "recipient": "张收货",
    "phone": "13900000777",
    "method": "express",
}


class Clerk:
    actor = "shop-clerk"

    async def record(self, *args, **kwargs):
        pass


def add_sim(harness, stock: int = 5) -> int:
    """A physical product with ``stock`` units in location WH1."""

    async def go():
        row = await Product.insert(
            Product(code="SIM1", name_zh="靓号 SIM 卡", name_en="SIM card", delivery="physical", price_fen=1000)
        ).returning(Product.id)
        await warehouse.add_location("WH1", "一号仓", "Warehouse 1", auditor=Clerk())
        if stock:
            form = {"kind": "in", "product": "SIM1", "location": "WH1", "quantity": str(stock)}
            await warehouse.move(form, auditor=Clerk())
        return row[0]["id"]

    return harness.in_tenant("alpha", go)
