"""The cart in the database: a visitor's cart joins the customer's at log-in; one payment for several cards, each its own
order with its own card; a cart that cannot be held in full is refused with nothing written."""

from __future__ import annotations

from shop_support import BUYER_PHONE, add_cards

from plugins.shop.tables import CartLine, Order


def test_a_visitor_cart_joins_the_customer_cart_and_is_paid_in_one_payment(world):
    harness, plugin, ids = world
    add_cards(harness, ids["products"]["P50"], 3)
    add_cards(harness, ids["products"]["P100"], 2)
    customer = harness.client("alpha")
    customer.login_customer(BUYER_PHONE)
    customer.post("/shop/cart/add", {"product": "P100", "quantity": "1"})  # the customer's own cart, earlier
    customer.get("/logout")
    browser = harness.client("alpha")
    browser.post("/shop/cart/add", {"product": "P50", "quantity": "2"})
    page = browser.get("/shop/cart")
    assert page.status_code == 200 and "登录后购买" in page.text and "¥98.00" in page.text  # 2 × ¥49
    browser.login_customer(BUYER_PHONE)
    merged = browser.get("/shop/cart")
    assert 'data-code="P50"' in merged.text and 'data-code="P100"' in merged.text
    owners = {r["owner"][:2] for r in harness.in_tenant("alpha", lambda: CartLine.select(CartLine.owner))}
    assert owners == {"c:"}  # the visitor's lines moved, none left behind
    r = browser.post("/shop/cart/checkout", {})
    assert r.status_code == 303, r.text[:300]
    orders = harness.in_tenant("alpha", lambda: Order.select().order_by(Order.id))
    assert len(orders) == 3 and len({o["intent_id"] for o in orders}) == 1 and len({o["checkout"] for o in orders}) == 1
    assert sum(o["price_fen"] for o in orders) == 4900 * 2 + 9800
    assert harness.in_tenant("alpha", CartLine.count) == 0
    intent_id = orders[0]["intent_id"]
    gateway = plugin.gateway("alpha")
    gateway.pay(intent_id)
    assert browser.post("/pay/notify/fake", gateway.notification(intent_id), csrf=False).status_code == 200
    orders = harness.in_tenant("alpha", lambda: Order.select().order_by(Order.id))
    assert {o["state"] for o in orders} == {"fulfilled"} and len({o["card_id"] for o in orders}) == 3
    listed = browser.get("/shop/orders").text
    assert all(o["number"] in listed for o in orders)


def test_a_cart_that_cannot_be_held_in_full_writes_nothing(world):
    harness, _plugin, ids = world
    add_cards(harness, ids["products"]["P100"], 1)
    client = harness.client("alpha")
    client.login_customer(BUYER_PHONE)
    client.post("/shop/cart/add", {"product": "P100", "quantity": "3"})
    refused = client.post("/shop/cart/checkout", {})
    assert refused.status_code == 409 and "库存暂时不足" in refused.text
    assert harness.in_tenant("alpha", Order.count) == 0 and harness.in_tenant("alpha", CartLine.count) == 1
    assert (
        client.post("/shop/cart/add", {"product": "NOPE", "quantity": "x"}, follow_redirects=False).status_code == 303
    )
