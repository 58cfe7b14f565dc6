"""Physical products in the cart and stock held at checkout: one address, one payment and one parcel for several units
and a card; a unit held for an unpaid checkout, kept when paid, freed when canceled or expired, never oversold (N
concurrent checkouts for the last K units give exactly K holds); on hand = free + held + paid at every step."""

from __future__ import annotations

import asyncio
import datetime as dt

from shop_support import ADDRESS, BUYER_PHONE, add_cards, add_sim

from core.api.db import tenant_scope
from core.api.payments import now
from core.api.testing import field_errors
from plugins.shop import stock_holds, warehouse
from plugins.shop.checkout import checkout_cart
from plugins.shop.orders import OutOfStock, fulfil_job
from plugins.shop.settings import ShopSettings
from plugins.shop.audit import audit_stock
from plugins.shop.tables import Alert, CartLine, Delivery, Order, Product, Stock, StockHold


def sim(harness) -> dict:
    return harness.in_tenant("alpha", lambda: Product.select().where(Product.code == "SIM1").first())


def invariant(harness, product_id: int) -> tuple[int, int, int]:
    """(on hand, free, promised), asserting on hand = free + promised and free >= 0."""

    async def read():
        row = await Product.select(Product.stock_free).where(Product.id == product_id).first()
        return await warehouse.on_hand(product_id), row["stock_free"], await stock_holds.promised(product_id)

    on_hand, free, promised = harness.in_tenant("alpha", read)
    assert on_hand == free + promised and free >= 0
    return on_hand, free, promised


def holds(harness) -> list[str]:
    return [h["state"] for h in harness.in_tenant("alpha", lambda: StockHold.select().order_by(StockHold.id))]


def pay(harness, plugin, client, intent_id: str) -> None:
    gateway = plugin.gateway("alpha")
    gateway.pay(intent_id)
    assert client.post("/pay/notify/fake", gateway.notification(intent_id), csrf=False).status_code == 200


def buyer(harness):
    client = harness.client("alpha")
    client.login_customer(BUYER_PHONE)
    return client


def test_a_cart_of_two_units_and_a_card_is_one_checkout_one_payment_one_parcel(world):
    harness, plugin, ids = world
    product_id = add_sim(harness, stock=5)
    add_cards(harness, ids["products"]["P50"], 2)
    client = buyer(harness)
    assert client.post("/shop/cart/add", {"product": "SIM1", "quantity": "2"}).status_code in (200, 303)
    client.post("/shop/cart/add", {"product": "P50", "quantity": "1"})
    page = client.get("/shop/cart")
    assert 'data-code="SIM1"' in page.text and 'name="province"' in page.text and "次日达" in page.text
    bad = client.post("/shop/cart/checkout", {**ADDRESS, "phone": "123", "city": ""})
    assert bad.status_code == 400 and len(field_errors(bad.text)) == 2 and "中山北路" in bad.text
    assert harness.in_tenant("alpha", Order.count) == 0 and holds(harness) == []

    assert client.post("/shop/cart/checkout", ADDRESS).status_code == 303
    orders = harness.in_tenant("alpha", lambda: Order.select().order_by(Order.id))
    assert sorted(o["kind"] for o in orders) == ["electronic", "physical", "physical"]
    assert len({o["intent_id"] for o in orders}) == 1 and sum(o["price_fen"] for o in orders) == 2 * 1000 + 1200 + 4900
    assert holds(harness) == ["held", "held"] and invariant(harness, product_id) == (5, 3, 2)
    assert harness.in_tenant("alpha", CartLine.count) == 0
    parcels = harness.in_tenant("alpha", lambda: Delivery.select().order_by(Delivery.id))
    first = parcels[0]["order_id"]
    assert [p["merged_into"] for p in parcels] == [None, first] and [p["fee_fen"] for p in parcels] == [1200, 0]
    assert all(p["street"] == ADDRESS["street"] for p in parcels)

    pay(harness, plugin, client, orders[0]["intent_id"])
    states = {o["kind"]: o["state"] for o in harness.in_tenant("alpha", lambda: Order.select())}
    assert states == {"electronic": "fulfilled", "physical": "paid"}
    assert holds(harness) == ["paid", "paid"] and invariant(harness, product_id) == (5, 3, 2)

    operator = harness.client("alpha")
    operator.login_operator("shop-clerk")
    number = next(o["number"] for o in orders if o["id"] == first)
    shipped = operator.post(
        f"/shop/console/orders/{number}/ship",
        {"carrier": "sf", "tracking": "SF1234567890", "location": "WH1"},
        follow_redirects=False,
    )
    assert shipped.status_code in (302, 303)
    physical = harness.in_tenant("alpha", lambda: Order.select().where(Order.kind == "physical"))
    assert {o["state"] for o in physical} == {"shipped"}
    assert holds(harness) == ["shipped", "shipped"] and invariant(harness, product_id) == (3, 3, 0)


def test_a_hold_is_freed_by_cancel_and_by_expiry_and_a_late_payment_without_a_unit_raises_an_alert(world):
    harness, plugin, _ids = world
    product_id = add_sim(harness, stock=1)
    client = buyer(harness)
    assert client.post("/shop/p/SIM1/order", ADDRESS).status_code == 303
    assert invariant(harness, product_id) == (1, 0, 1) and "售罄" in client.get("/shop/").text
    assert client.post("/shop/p/SIM1/order", ADDRESS).status_code == 409  # the only unit is held
    first = harness.in_tenant("alpha", lambda: Order.select().first())
    client.post(f"/shop/orders/{first['number']}/cancel", {})
    assert holds(harness) == ["released"] and invariant(harness, product_id) == (1, 1, 0)

    assert client.post("/shop/p/SIM1/order", ADDRESS).status_code == 303
    second = harness.in_tenant("alpha", lambda: Order.select().order_by(Order.id, ascending=False).first())

    async def expire():
        await StockHold.update({StockHold.hold_until: now() - dt.timedelta(minutes=1)}).where(StockHold.id > 0)

    harness.in_tenant("alpha", expire)
    assert "有货" in client.get("/shop/").text  # an expired hold counts as free at once
    assert client.post("/shop/p/SIM1/order", ADDRESS).status_code == 303  # releases it and holds the unit again
    assert holds(harness) == ["released", "released", "held"] and invariant(harness, product_id) == (1, 0, 1)

    pay(harness, plugin, client, second["intent_id"])  # paid after its hold went to someone else
    assert harness.in_tenant("alpha", lambda: Order.select().where(Order.id == second["id"]).first())["state"] == "paid"
    assert invariant(harness, product_id) == (1, 0, 1)  # not promised twice
    alerts = harness.in_tenant("alpha", lambda: Alert.select().where(Alert.kind == "order_without_stock"))
    assert [a["subject"] for a in alerts] == [second["number"]]


def test_the_job_releases_expired_holds_and_a_promised_unit_cannot_be_adjusted_away(world):
    harness, _plugin, _ids = world
    product_id = add_sim(harness, stock=2)
    client = buyer(harness)
    assert client.post("/shop/p/SIM1/order", ADDRESS).status_code == 303
    operator = harness.client("alpha")
    operator.login_operator("shop-clerk")
    form = {"kind": "adjust", "product": "SIM1", "location": "WH1", "quantity": "-2", "reason": "damaged"}
    refused = operator.post("/shop/console/warehouse/move", form)
    assert refused.status_code == 400 and "已承诺给待发货的订单" in refused.text
    assert invariant(harness, product_id) == (2, 1, 1)

    async def expire():
        await StockHold.update({StockHold.hold_until: now() - dt.timedelta(minutes=1)}).where(StockHold.id > 0)

    harness.in_tenant("alpha", expire)
    harness.in_tenant("alpha", fulfil_job, harness.hall, "alpha")
    assert holds(harness) == ["released"] and invariant(harness, product_id) == (2, 2, 0)
    assert operator.post("/shop/console/warehouse/move", form).status_code in (302, 303)
    assert invariant(harness, product_id) == (0, 0, 0)
    assert harness.in_tenant("alpha", audit_stock)["stock_unbalanced"] == []

    async def behind_its_back():  # a unit appears in the stock table without a movement
        await Stock.update({Stock.quantity: 1}).where(Stock.product_id == product_id)

    harness.in_tenant("alpha", behind_its_back)
    assert harness.in_tenant("alpha", audit_stock)["stock_unbalanced"] == ["SIM1"]
    alerts = harness.in_tenant("alpha", lambda: Alert.select().where(Alert.kind == "stock_mismatch"))
    assert [(a["subject"], a["detail"]) for a in alerts] == [("SIM1", "on hand 1, free 0, held or paid 0")]


def test_n_concurrent_checkouts_for_the_last_k_units_give_exactly_k_holds(world):
    harness, _plugin, _ids = world
    k, n = 3, 10
    product_id = add_sim(harness, stock=k)
    tenant = harness.tenant("alpha")
    settings = ShopSettings()
    row = sim(harness)
    start = asyncio.Event()

    async def one(i):
        await start.wait()
        with tenant_scope(tenant):
            try:
                await checkout_cart(
                    harness.hall, tenant, settings, [(row, 1)], customer_id=f"C{i}", subject="sim", address=ADDRESS
                )
                return True
            except OutOfStock:
                return False

    async def race():
        tasks = [asyncio.create_task(one(i)) for i in range(n)]
        await asyncio.sleep(0)
        start.set()
        return await asyncio.gather(*tasks)

    assert sum(harness.run(race())) == k
    assert holds(harness) == ["held"] * k and harness.in_tenant("alpha", Order.count) == k
    assert invariant(harness, product_id) == (k, 0, k)
