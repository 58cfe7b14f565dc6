"""The warehouse: locations, stock in / transfer / adjustment with field errors and movements, stock never below zero
under concurrent takes, physical low-stock alerts, a sold-out physical product refused at checkout."""

from __future__ import annotations

import asyncio

from shop_support import ADDRESS, BUYER_PHONE, add_sim

from core.api.db import tenant_scope
from core.api.testing import field_errors
from plugins.shop import warehouse
from plugins.shop.audit import audit_stock
from plugins.shop.tables import Location, Movement, Order, Stock


def clerk(harness):
    client = harness.client("alpha")
    client.login_operator("shop-clerk")
    return client


def levels(harness) -> dict[str, int]:
    async def go():
        codes = {r["id"]: r["code"] for r in await Location.select()}
        return {codes[r["location_id"]]: r["quantity"] for r in await Stock.select()}

    return harness.in_tenant("alpha", go)


def test_stock_in_transfer_and_adjust_from_the_console_with_field_errors_and_movements(world):
    harness, _plugin, _ids = world
    add_sim(harness, stock=0)
    client = clerk(harness)
    page = client.get("/shop/console/warehouse")
    assert page.status_code == 200 and "一号仓" in page.text
    assert client.post("/shop/console/warehouse/locations", {"code": "wh2", "name_zh": "二号仓", "name_en": "W2"})
    again = client.post("/shop/console/warehouse/locations", {"code": "WH2", "name_zh": "x", "name_en": "y"})
    assert again.status_code == 400 and len(field_errors(again.text)) == 1
    move = "/shop/console/warehouse/move"
    assert client.post(move, {"kind": "in", "product": "SIM1", "location": "WH1", "quantity": "5"}).status_code == 303
    assert levels(harness) == {"WH1": 5}
    client.post(move, {"kind": "transfer", "product": "SIM1", "location": "WH1", "to_location": "WH2", "quantity": "2"})
    assert levels(harness) == {"WH1": 3, "WH2": 2}
    too_many = client.post(
        move, {"kind": "transfer", "product": "SIM1", "location": "WH2", "to_location": "WH1", "quantity": "3"}
    )
    assert too_many.status_code == 400 and "该库位没有这么多" in too_many.text
    no_reason = client.post(move, {"kind": "adjust", "product": "SIM1", "location": "WH2", "quantity": "-1"})
    assert no_reason.status_code == 400 and len(field_errors(no_reason.text)) == 1
    bad = client.post(move, {"kind": "in", "product": "NOPE", "location": "", "quantity": "many"})
    assert bad.status_code == 400 and len(field_errors(bad.text)) == 3
    client.post(move, {"kind": "adjust", "product": "SIM1", "location": "WH2", "quantity": "-1", "reason": "damaged"})
    assert levels(harness) == {"WH1": 3, "WH2": 1}
    moves = harness.in_tenant("alpha", lambda: Movement.select().order_by(Movement.id))
    assert [(m["kind"], m["quantity"], m["reason"]) for m in moves] == [
        ("in", 5, ""),
        ("transfer", 2, ""),
        ("adjust", -1, "damaged"),
    ]
    assert all(m["actor"] == "shop-clerk" for m in moves)
    assert "damaged" in client.get("/shop/console/warehouse").text


def test_concurrent_takes_never_drive_stock_below_zero(world):
    harness, _plugin, _ids = world
    product_id = add_sim(harness, stock=3)
    tenant = harness.tenant("alpha")
    start = asyncio.Event()

    async def one():
        await start.wait()
        with tenant_scope(tenant):
            location = await Location.select(Location.id).first()
            try:
                await warehouse.take(product_id, location["id"], 1)
                return True
            except warehouse.NotEnough:
                return False

    async def race():
        tasks = [asyncio.create_task(one()) for _ in range(10)]
        await asyncio.sleep(0)
        start.set()
        return await asyncio.gather(*tasks)

    assert sum(harness.run(race())) == 3
    assert levels(harness) == {"WH1": 0}


def test_physical_low_stock_alert_and_a_sold_out_product_is_refused_at_checkout(world):
    harness, _plugin, _ids = world
    add_sim(harness, stock=1)
    found = harness.in_tenant("alpha", audit_stock)
    assert "SIM1" in found["low_stock"]  # 1 on hand, alert below 5
    client = harness.client("alpha")
    client.login_customer(BUYER_PHONE)
    assert "有货" in client.get("/shop/").text
    assert client.post("/shop/p/SIM1/order", ADDRESS).status_code == 303

    async def pay_it():
        await Order.update({Order.state: "paid"}).where(Order.id > 0)

    harness.in_tenant("alpha", pay_it)  # the only unit is promised to a paid order
    refused = client.post("/shop/p/SIM1/order", ADDRESS)
    assert refused.status_code in (404, 409)
    assert harness.in_tenant("alpha", Order.count) == 1
    assert 'name="province"' not in client.get("/shop/p/SIM1").text
