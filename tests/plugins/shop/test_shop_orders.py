"""Buying an electronic card: a held card, payment, exactly one card per paid order, the PIN once, again by code only."""

from __future__ import annotations

import asyncio
import datetime as dt

from shop_support import BUYER_PHONE, add_cards, pins_of, sms_code

from core.api.db import tenant_scope
from core.api.payments import now, start_checkout
from plugins.shop.checkout import checkout
from plugins.shop.orders import OutOfStock, paid
from plugins.shop.settings import ShopSettings
from plugins.shop.tables import Card, Order, PinAccess


def buyer_client(harness):
    client = harness.client("alpha")
    client.login_customer(BUYER_PHONE)
    return client


def buy(client, code="P50"):
    r = client.post(f"/shop/p/{code}/buy", {})
    return r


def pay(harness, plugin, client, intent_id):
    gateway = plugin.gateway("alpha")
    gateway.pay(intent_id)
    r = client.post("/pay/notify/fake", gateway.notification(intent_id), csrf=False)
    assert r.status_code == 200, r.text


def only_order(harness):
    return harness.in_tenant("alpha", lambda: Order.select().first())


def test_buy_pay_see_the_pin_once_then_again_with_a_code(world):
    harness, plugin, ids = world
    batch = add_cards(harness, ids["products"]["P50"], 3)
    pins = pins_of(harness, batch["id"])
    visitor = harness.client("alpha")
    assert "登录后购买" in visitor.get("/shop/p/P50").text
    assert visitor.post("/shop/p/P50/buy", {}, follow_redirects=False).status_code in (302, 303, 401)
    client = buyer_client(harness)
    catalog = client.get("/shop/")
    assert catalog.status_code == 200 and "50元话费卡" in catalog.text and "¥49.00" in catalog.text
    r = buy(client)
    assert r.status_code == 303, r.text[:500]
    order = only_order(harness)
    assert order["state"] == "created" and order["price_fen"] == 4900
    held = harness.in_tenant("alpha", lambda: Card.select().where(Card.order_id == order["id"]))
    assert len(held) == 1 and held[0]["state"] == "in_stock" and held[0]["hold_until"] is not None
    pay(harness, plugin, client, order["intent_id"])
    order = only_order(harness)
    assert order["state"] == "fulfilled" and order["card_id"] == held[0]["id"]
    page = client.get(f"/shop/orders/{order['number']}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    serial = held[0]["serial"]
    pin = pins[serial]
    grouped = " ".join(pin[i : i + 4] for i in range(0, len(pin), 4))
    assert grouped not in page.text  # not on a GET: only when asked for
    shown = client.post(f"/shop/orders/{order['number']}/show", {})
    assert shown.status_code == 200 and grouped in shown.text and serial in shown.text
    again = client.post(f"/shop/orders/{order['number']}/show", {})
    assert grouped not in again.text and "再次查看卡密" in again.text
    sent = client.post(f"/shop/orders/{order['number']}/code", {"channel": "sms"})
    flow = sent.text.split('name="flow" value="')[1].split('"')[0]
    code = sms_code(harness, BUYER_PHONE)
    wrong = client.post(
        f"/shop/orders/{order['number']}/again", {"flow": flow, "code": "000000" if code != "000000" else "111111"}
    )
    assert wrong.status_code == 400 and grouped not in wrong.text
    ok = client.post(f"/shop/orders/{order['number']}/again", {"flow": flow, "code": code})
    assert ok.status_code == 200 and grouped in ok.text
    trail = harness.in_tenant("alpha", lambda: PinAccess.select(PinAccess.how).order_by(PinAccess.id))
    assert [t["how"] for t in trail] == ["first", "code"]
    assert only_order(harness)["state"] == "completed"
    # another customer cannot see the order at all
    other = harness.client("alpha")
    assert other.get(f"/shop/orders/{order['number']}", follow_redirects=False).status_code in (302, 303, 401, 404)
    mine = client.get("/shop/orders")
    assert order["number"] in mine.text and "已办结" in mine.text  # the core's word for a finished order


def test_checkout_refuses_when_no_card_is_free_and_an_expired_hold_is_free_again(world):
    harness, _plugin, ids = world
    add_cards(harness, ids["products"]["P100"], 1)
    client = buyer_client(harness)
    assert buy(client, "P100").status_code == 303
    refused = buy(client, "P100")
    assert refused.status_code == 409 and "售罄" in refused.text
    assert harness.in_tenant("alpha", Order.count) == 1  # a refused checkout leaves nothing behind

    async def expire():
        await Card.update({Card.hold_until: now() - dt.timedelta(minutes=1)}).where(Card.order_id.is_not_null())

    harness.in_tenant("alpha", expire)
    assert buy(client, "P100").status_code == 303


def test_a_late_payment_after_the_hold_was_taken_gets_another_card_or_an_alert(world):
    harness, plugin, ids = world
    add_cards(harness, ids["products"]["P100"], 2)
    client = buyer_client(harness)
    buy(client, "P100")
    first = only_order(harness)

    async def steal():  # the hold expired and another order took the very card
        await Card.update({Card.order_id: 999, Card.state: "sold"}).where(Card.order_id == first["id"])

    harness.in_tenant("alpha", steal)
    pay(harness, plugin, client, first["intent_id"])
    first = harness.in_tenant("alpha", lambda: Order.select().where(Order.id == first["id"]).first())
    assert first["state"] == "fulfilled" and first["card_id"] is not None


def test_n_concurrent_checkouts_for_the_last_k_cards_give_exactly_k_paid_orders_with_cards(world):
    harness, plugin, ids = world
    k, n = 3, 10
    add_cards(harness, ids["products"]["P50"], k)
    tenant = harness.tenant("alpha")
    settings = ShopSettings()
    start = asyncio.Event()

    async def product():
        with tenant_scope(tenant):
            from plugins.shop.tables import Product

            return await Product.select().where(Product.code == "P50").first()

    row = harness.run(product())

    async def one(i):
        await start.wait()
        with tenant_scope(tenant):
            try:
                _order, intent = await checkout(
                    harness.hall, tenant, settings, product=row, customer_id=f"C{i}", subject="card"
                )
                return intent
            except OutOfStock:
                return None

    async def race():
        tasks = [asyncio.create_task(one(i)) for i in range(n)]
        await asyncio.sleep(0)
        start.set()
        return await asyncio.gather(*tasks)

    intents = [i for i in harness.run(race()) if i is not None]
    assert len(intents) == k
    client = harness.client("alpha")
    for intent in intents:
        harness.in_tenant(
            "alpha",
            start_checkout,
            harness.hall,
            intent.id,
            channel="pc",
            return_url="http://a/r",
            notify_url="http://a/n",
        )
        pay(harness, plugin, client, intent.id)
    orders = harness.in_tenant("alpha", lambda: Order.select().where(Order.state == "fulfilled"))
    assert len(orders) == k and len({o["card_id"] for o in orders}) == k
    cards = harness.in_tenant("alpha", lambda: Card.select(Card.state, Card.order_id))
    assert sorted(c["state"] for c in cards) == ["sold"] * k


def test_the_fulfilment_allocates_once_even_when_called_again(world):
    harness, plugin, ids = world
    add_cards(harness, ids["products"]["P50"], 3)
    client = buyer_client(harness)
    buy(client)
    order = only_order(harness)
    pay(harness, plugin, client, order["intent_id"])
    from core.api.payments import get_intent

    intent = harness.in_tenant("alpha", get_intent, order["intent_id"])
    harness.in_tenant("alpha", paid, harness.hall, harness.tenant("alpha"), intent)  # a repeat changes nothing
    cards = harness.in_tenant("alpha", lambda: Card.select().where(Card.state == "sold"))
    assert len(cards) == 1


def test_paid_with_no_card_left_alerts_then_the_buyer_cancels_and_is_refunded(world):
    harness, plugin, ids = world
    add_cards(harness, ids["products"]["P100"], 1)
    client = buyer_client(harness)
    buy(client, "P100")
    order = only_order(harness)

    async def gone():  # the only card was voided meanwhile: nothing left to allocate when the money comes
        await Card.update({Card.state: "void", Card.order_id: None}).where(Card.order_id == order["id"])

    harness.in_tenant("alpha", gone)
    pay(harness, plugin, client, order["intent_id"])
    order = only_order(harness)
    assert order["state"] == "paid" and order["card_id"] is None
    from plugins.shop.alerts import open_alerts

    assert [a["kind"] for a in harness.in_tenant("alpha", open_alerts)] == ["order_without_card"]
    page = client.get(f"/shop/orders/{order['number']}")
    assert "取消并退款" in page.text
    client.post(f"/shop/orders/{order['number']}/cancel", {})
    assert only_order(harness)["state"] == "canceled"
    assert sum(plugin.gateway("alpha").trades[order["intent_id"]].refunds.values()) == 9800
