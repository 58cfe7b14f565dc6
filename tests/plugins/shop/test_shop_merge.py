"""An operator merges two paid physical orders of one customer to one address: one shipment, once, audited."""

from __future__ import annotations

from shop_support import ADDRESS, BUYER_PHONE, add_sim

from core.api.testing import add_operator, field_errors
from core.notify.tables import Message
from plugins.shop import warehouse
from plugins.shop.tables import Delivery, Order


def paid_order(harness, plugin, client, address: dict) -> dict:
    assert client.post("/shop/p/SIM1/order", address).status_code == 303
    order = harness.in_tenant("alpha", lambda: Order.select().order_by(Order.id, ascending=False).first())
    gateway = plugin.gateway("alpha")
    gateway.pay(order["intent_id"])
    client.post("/pay/notify/fake", gateway.notification(order["intent_id"]), csrf=False)
    return order


def test_two_orders_to_one_address_ship_as_one_other_addresses_do_not_merge(world):
    harness, plugin, _ids = world
    product_id = add_sim(harness, stock=5)
    buyer = harness.client("alpha")
    buyer.login_customer(BUYER_PHONE)
    first = paid_order(harness, plugin, buyer, ADDRESS)
    second = paid_order(harness, plugin, buyer, {**ADDRESS, "method": "standard"})
    elsewhere = paid_order(harness, plugin, buyer, {**ADDRESS, "street": "汉中路 8 号"})
    clerk = harness.client("alpha")
    clerk.login_operator("shop-clerk")
    url = f"/shop/console/orders/{first['number']}/merge"
    no_reason = clerk.post(url, {"other": second["number"], "merge_reason": ""})
    assert no_reason.status_code == 400 and len(field_errors(no_reason.text)) == 1
    other_address = clerk.post(url, {"other": elsewhere["number"], "merge_reason": "one parcel"})
    assert other_address.status_code == 400 and "地址不同" in other_address.text
    assert clerk.post(url, {"other": first["number"], "merge_reason": "x"}).status_code == 400
    merged = clerk.post(url, {"other": second["number"], "merge_reason": "one parcel"}, follow_redirects=False)
    assert merged.status_code in (302, 303)
    again = clerk.post(url, {"other": second["number"], "merge_reason": "twice"})
    assert again.status_code == 400
    alone = clerk.post(
        f"/shop/console/orders/{second['number']}/ship", {"carrier": "sf", "tracking": "SF555555", "location": "WH1"}
    )
    assert alone.status_code == 400  # it ships with the first
    page = clerk.get(f"/shop/console/orders/{first['number']}")
    assert second["number"] in page.text
    shipped = clerk.post(
        f"/shop/console/orders/{first['number']}/ship",
        {"carrier": "sf", "tracking": "SF777777", "location": "WH1"},
        follow_redirects=False,
    )
    assert shipped.status_code in (302, 303)
    rows = harness.in_tenant("alpha", lambda: Order.select(Order.number, Order.state).order_by(Order.id))
    assert [r["state"] for r in rows] == ["shipped", "shipped", "paid"]
    parcels = harness.in_tenant("alpha", lambda: Delivery.select().order_by(Delivery.order_id))
    assert [p["tracking"] for p in parcels] == ["SF777777", "SF777777", ""]
    assert harness.in_tenant("alpha", warehouse.on_hand, product_id) == 3  # one unit out per order

    def told():
        return Message.select(Message.body_text).where(Message.body_text.like("%SF777777%"))

    to_buyer = [m["body_text"] for m in harness.in_tenant("alpha", told)]
    assert len(to_buyer) == 2  # the buyer once (both numbers), the recipient once
    assert all(first["number"] in t and second["number"] in t for t in to_buyer)
    add_operator(harness, "alpha", "shop-auditor", permissions=["core.audit.view"])
    auditor = harness.client("alpha")
    auditor.login_operator("shop-auditor")
    assert "合并" in auditor.get("/console/audit").text


def test_a_merged_order_ships_alone_when_the_order_it_joined_was_canceled(world):
    harness, plugin, _ids = world
    add_sim(harness, stock=5)
    buyer = harness.client("alpha")
    buyer.login_customer(BUYER_PHONE)
    first = paid_order(harness, plugin, buyer, ADDRESS)
    second = paid_order(harness, plugin, buyer, ADDRESS)
    clerk = harness.client("alpha")
    clerk.login_operator("shop-clerk")
    clerk.post(f"/shop/console/orders/{first['number']}/merge", {"other": second["number"], "merge_reason": "one"})
    assert "shop-ship" not in clerk.get(f"/shop/console/orders/{second['number']}").text
    buyer.post(f"/shop/orders/{first['number']}/cancel", {})
    assert "shop-ship" in clerk.get(f"/shop/console/orders/{second['number']}").text
    shipped = clerk.post(
        f"/shop/console/orders/{second['number']}/ship",
        {"carrier": "zto", "tracking": "ZT123456", "location": "WH1"},
        follow_redirects=False,
    )
    assert shipped.status_code in (302, 303)
    rows = harness.in_tenant("alpha", lambda: Order.select(Order.state).order_by(Order.id))
    assert [r["state"] for r in rows] == ["canceled", "shipped"]
