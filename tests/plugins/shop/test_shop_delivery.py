"""Physical products: an address checked field by field, paid, shipped with a courier and tracking number, received
(or completed by the job after N days), canceled before shipping with one refund; the buyer and recipient told."""

from __future__ import annotations

import datetime as dt

from shop_support import ADDRESS, BUYER_PHONE, add_sim

from core.api.payments import now
from core.api.testing import add_operator, field_errors
from core.notify.tables import Message
from plugins.shop import warehouse
from plugins.shop.delivery import complete_job
from plugins.shop.tables import Delivery, Order, Product


def the_order(harness):
    return harness.in_tenant("alpha", lambda: Order.select().first())


def buy_and_pay(harness, plugin, client) -> dict:
    assert client.post("/shop/p/SIM1/order", ADDRESS).status_code == 303
    order = the_order(harness)
    gateway = plugin.gateway("alpha")
    gateway.pay(order["intent_id"])
    assert client.post("/pay/notify/fake", gateway.notification(order["intent_id"]), csrf=False).status_code == 200
    return the_order(harness)


def buyer(harness):
    client = harness.client("alpha")
    client.login_customer(BUYER_PHONE)
    return client


def clerk(harness):
    client = harness.client("alpha")
    client.login_operator("shop-clerk")
    return client


def messages_to(harness, recipient):
    return harness.in_tenant(
        "alpha",
        lambda: Message.select(Message.body_text).where(Message.recipient == recipient).order_by(Message.id),
    )


def test_address_errors_then_paid_shipped_with_tracking_and_received(world):
    harness, plugin, _ids = world
    add_sim(harness)
    client = buyer(harness)
    page = client.get("/shop/p/SIM1")
    assert page.status_code == 200 and 'name="province"' in page.text and "次日达" in page.text
    bad = client.post("/shop/p/SIM1/order", {**ADDRESS, "phone": "12345", "street": "短", "method": "boat", "city": ""})
    assert bad.status_code == 400 and len(field_errors(bad.text)) == 4 and "鼓楼区" in bad.text
    assert harness.in_tenant("alpha", Order.count) == 0
    order = buy_and_pay(harness, plugin, client)
    assert order["kind"] == "physical" and order["state"] == "paid" and order["price_fen"] == 1000 + 1200
    assert order["card_id"] is None
    parcel = harness.in_tenant("alpha", lambda: Delivery.select().first())
    assert parcel["recipient"] == "张收货" and parcel["fee_fen"] == 1200 and parcel["method"] == "express"
    mine = client.get(f"/shop/orders/{order['number']}")
    assert "中山北路" in mine.text and "取消并退款" in mine.text

    operator = clerk(harness)
    console = operator.get(f"/shop/console/orders/{order['number']}")
    assert console.status_code == 200 and "中山北路" in console.text and "标记为已发货" in console.text
    wrong = operator.post(f"/shop/console/orders/{order['number']}/ship", {"carrier": "ufo", "tracking": "x"})
    assert wrong.status_code == 400 and len(field_errors(wrong.text)) == 2
    nowhere = operator.post(
        f"/shop/console/orders/{order['number']}/ship", {"carrier": "sf", "tracking": "SF123456", "location": "XX"}
    )
    assert nowhere.status_code == 400 and len(field_errors(nowhere.text)) == 1
    shipped = operator.post(
        f"/shop/console/orders/{order['number']}/ship",
        {"carrier": "sf", "tracking": "sf1234567890", "location": "WH1"},
        follow_redirects=False,
    )
    assert shipped.status_code in (302, 303)
    assert the_order(harness)["state"] == "shipped"
    twice = operator.post(
        f"/shop/console/orders/{order['number']}/ship", {"carrier": "sf", "tracking": "SF999999", "location": "WH1"}
    )
    assert twice.status_code == 400
    assert harness.in_tenant("alpha", lambda: Delivery.select().first())["tracking"] == "SF1234567890"
    sim = harness.in_tenant("alpha", lambda: Product.select(Product.id).where(Product.code == "SIM1").first())
    assert harness.in_tenant("alpha", warehouse.on_hand, sim["id"]) == 4  # one unit left WH1, once

    mine = client.get(f"/shop/orders/{order['number']}")
    assert "顺丰速运" in mine.text and "SF1234567890" in mine.text and "确认收货" in mine.text
    assert "取消并退款" not in mine.text
    told = [m["body_text"] for m in messages_to(harness, "user400@example.com")]
    assert len(told) == 3 and "已发货：顺丰速运，运单号 SF1234567890" in told[2]
    recipient = messages_to(harness, "13900000777")
    assert len(recipient) == 1 and "SF1234567890" in recipient[0]["body_text"]

    client.post(f"/shop/orders/{order['number']}/receive", {})
    done = the_order(harness)
    assert done["state"] == "completed" and done["completed_at"] is not None
    assert harness.in_tenant("alpha", lambda: Delivery.select().first())["completed_by"] == "buyer"
    assert client.post(f"/shop/orders/{order['number']}/cancel", {}).status_code in (200, 302, 303)
    assert the_order(harness)["state"] == "completed"  # too late to cancel

    add_operator(harness, "alpha", "shop-auditor", permissions=["core.audit.view"])
    auditor = harness.client("alpha")
    auditor.login_operator("shop-auditor")
    assert "发出了卡品商城订单" in auditor.get("/console/audit").text


def test_canceled_before_shipping_is_refunded_once(world):
    harness, plugin, _ids = world
    add_sim(harness)
    client = buyer(harness)
    order = buy_and_pay(harness, plugin, client)
    client.post(f"/shop/orders/{order['number']}/cancel", {})
    client.post(f"/shop/orders/{order['number']}/cancel", {})
    assert the_order(harness)["state"] == "canceled"
    assert plugin.gateway("alpha").trades[order["intent_id"]].refunds.values().__len__() == 1
    assert sum(plugin.gateway("alpha").trades[order["intent_id"]].refunds.values()) == 2200
    operator = clerk(harness)
    late = operator.post(
        f"/shop/console/orders/{order['number']}/ship", {"carrier": "sf", "tracking": "SF123456", "location": "WH1"}
    )
    assert late.status_code == 400  # a canceled order never ships


def test_the_job_completes_orders_shipped_n_days_ago_and_leaves_recent_ones(world):
    harness, plugin, _ids = world
    add_sim(harness)
    client = buyer(harness)
    first = buy_and_pay(harness, plugin, client)
    second = buy_and_pay_again(harness, plugin, client)
    operator = clerk(harness)
    for number in (first["number"], second["number"]):
        operator.post(
            f"/shop/console/orders/{number}/ship", {"carrier": "ems", "tracking": f"EMS{number[:8]}", "location": "WH1"}
        )

    async def age():  # the first left 11 days ago (auto_complete_days is 10)
        await Order.update({Order.shipped_at: now() - dt.timedelta(days=11)}).where(Order.id == first["id"])

    harness.in_tenant("alpha", age)
    assert harness.in_tenant("alpha", complete_job, harness.hall, "alpha") == 1
    assert harness.in_tenant("alpha", complete_job, harness.hall, "alpha") == 0
    states = harness.in_tenant("alpha", lambda: Order.select(Order.id, Order.state).order_by(Order.id))
    assert [s["state"] for s in states] == ["completed", "shipped"]
    auto = harness.in_tenant("alpha", lambda: Delivery.select().where(Delivery.order_id == first["id"]).first())
    assert auto["completed_by"] == "auto" and auto["received_at"] is None


def buy_and_pay_again(harness, plugin, client) -> dict:
    assert client.post("/shop/p/SIM1/order", {**ADDRESS, "method": "standard"}).status_code == 303
    order = harness.in_tenant("alpha", lambda: Order.select().order_by(Order.id, ascending=False).first())
    gateway = plugin.gateway("alpha")
    gateway.pay(order["intent_id"])
    client.post("/pay/notify/fake", gateway.notification(order["intent_id"]), csrf=False)
    return order
