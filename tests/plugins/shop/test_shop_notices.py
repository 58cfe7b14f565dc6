"""The buyer hears of the order (core.api.notify): placed, paid, canceled, refunded - exactly what committed, no PIN."""

from __future__ import annotations

from shop_support import BUYER_PHONE, add_cards, pins_of

from core.api.testing import make_customer, make_runner, register_customer
from core.notify.tables import Message
from plugins.shop.notices import tell
from plugins.shop.tables import Order

EMAIL = "mai402@example.com"


def deliver(harness):
    harness.run(make_runner(harness.hall).run_now("core.deliver_messages"))


def messages(harness):
    return harness.in_tenant(
        "alpha",
        lambda: Message.select(Message.channel, Message.recipient, Message.body_text, Message.purpose).order_by(
            Message.id
        ),
    )


def pay(plugin, client, intent_id):
    gateway = plugin.gateway("alpha")
    gateway.pay(intent_id)
    assert client.post("/pay/notify/fake", gateway.notification(intent_id), csrf=False).status_code == 200


def test_placed_paid_and_refunded_by_e_mail_with_a_link_and_never_the_pin(world, mail_sink):
    harness, plugin, ids = world
    buyer = make_customer(402, name="麦买家", phone="13800000402", email=EMAIL)
    register_customer(harness, "alpha", buyer)
    batch = add_cards(harness, ids["products"]["P50"], 2)
    client = harness.client("alpha")
    client.login_customer("13800000402")
    assert client.post("/shop/p/P50/buy", {}).status_code == 303
    order = harness.in_tenant("alpha", lambda: Order.select().first())
    assert order["contact_email"] == EMAIL and order["language"] == "zh_CN"
    deliver(harness)
    placed = mail_sink.wait_for(EMAIL)
    body = placed.get_body(("plain",)).get_content()
    assert order["number"] in placed["Subject"] and "我们已收到您的订单" in body and "49.00 元" in body
    assert f"/shop/orders/{order['number']}" in body
    pay(plugin, client, order["intent_id"])
    deliver(harness)
    assert harness.in_tenant("alpha", lambda: Order.select().first())["state"] == "fulfilled"
    clerk = harness.client("alpha")
    clerk.login_operator("shop-clerk")
    voided = clerk.post(f"/shop/console/orders/{order['number']}/void", {"reason": "fraud suspected"})
    assert voided.status_code in (200, 302, 303)
    deliver(harness)
    bodies = [m.get_body(("plain",)).get_content() for m in mail_sink.to(EMAIL)]
    assert len(bodies) == 3, bodies
    assert "付款已到账" in bodies[1] and "已退款 49.00 元" in bodies[2]
    for pin in pins_of(harness, batch["id"]).values():
        assert all(pin not in b and pin[:8] not in b for b in bodies)
    assert {m["purpose"] for m in messages(harness)} == {"shop_order"}


def test_canceling_an_unpaid_order_tells_the_buyer(world):
    harness, _plugin, ids = world
    add_cards(harness, ids["products"]["P50"], 1)
    client = harness.client("alpha")
    client.login_customer(BUYER_PHONE)
    client.post("/shop/p/P50/buy", {})
    order = harness.in_tenant("alpha", lambda: Order.select().first())
    client.post(f"/shop/orders/{order['number']}/cancel", {})
    assert harness.in_tenant("alpha", lambda: Order.select().first())["state"] == "canceled"
    sent = messages(harness)
    assert [(m["channel"], m["recipient"]) for m in sent] == [("email", "user400@example.com")] * 2
    assert "已取消" in sent[1]["body_text"] and order["number"] in sent[1]["body_text"]


def test_a_refused_checkout_tells_nobody(world):
    harness, _plugin, _ids = world
    client = harness.client("alpha")
    client.login_customer(BUYER_PHONE)
    assert client.post("/shop/p/P50/buy", {}).status_code == 409  # no stock
    assert messages(harness) == []


def test_a_contact_that_is_no_address_is_skipped_and_stops_nothing(world):
    harness, _plugin, ids = world
    order = {"number": "n1", "product_id": ids["products"]["P50"], "price_fen": 100, "hold_until": None}
    bad = {**order, "contact_email": "", "contact_phone": "call me", "language": "en"}
    assert harness.in_tenant("alpha", tell, harness.hall, harness.tenant("alpha"), [bad], "paid") == 0
    good = {**order, "contact_email": "", "contact_phone": "13800000777", "language": "en"}
    assert harness.in_tenant("alpha", tell, harness.hall, harness.tenant("alpha"), [good], "paid") == 1
    assert "Thank you" in messages(harness)[0]["body_text"]
