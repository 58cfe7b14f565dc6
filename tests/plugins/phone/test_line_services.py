"""The line's service orders: suspension (a reason and a date not in the past, then the line suspended for the
customer's reason), resumption, move (address in the area), termination with the final settlement."""

from __future__ import annotations

from product_support import MOBILE

from core.api.products import Product, ProductChange, ProductOrder, ProductOrderItem
from core.products import lifecycle
from core.workorders import Actor, transition

OP = Actor("operator", None, "Wang", frozenset({"core.workorders.handle"}), superuser=True)


def customer(world):
    c = world.harness.client("alpha")
    c.login_customer(MOBILE)
    return c


def finish(world, order_id, steps):
    order = world.run(lambda: ProductOrder.select().where(ProductOrder.id == order_id).first())
    for step in steps:
        world.run(transition, world.harness.hall, order["workorder_id"], f"finish_{step}", OP)
    world.run(lifecycle.run_pending, world.harness.hall, world.harness.tenant("alpha"))
    return world.run(lambda: ProductOrder.select().where(ProductOrder.id == order_id).first())


def line(world):
    return world.run(lambda: Product.select().where(Product.number == MOBILE).first())


def test_suspend_on_a_date_then_resume(world):
    c = customer(world)
    page = c.get("/phone/service")
    assert page.status_code == 200 and "service-suspend" in page.text
    bad = c.post(f"/phone/service/{MOBILE}/suspend", {"reason": "", "date": "2026-03-13", "token": "s1"})
    assert bad.status_code == 400 and 'id="reason-error"' in bad.text and 'id="date-error"' in bad.text
    r = c.post(f"/phone/service/{MOBILE}/suspend", {"reason": "出国", "date": "2026-03-14", "token": "s1"})
    assert r.status_code == 303, r.text[:1500]
    order = world.run(lambda: ProductOrder.select().order_by(ProductOrder.id, ascending=False).first())
    assert order["process"] == "phone.suspend" and order["state"] == "acknowledged"
    assert finish(world, order["id"], ["review"])["state"] == "completed"
    assert line(world)["state"] == "suspended" and "customer" in line(world)["suspend_reasons"]
    item = world.run(lambda: ProductOrderItem.select().where(ProductOrderItem.order_id == order["id"]).first())
    assert (item["action"], item["product_id"], item["params"]["remark"]) == ("modify", line(world)["id"], "出国")
    assert world.run(lambda: Product.count().where(Product.specification != "line")) == 0  # no request product
    mine = c.get("/account/products")
    assert 'data-state="suspended"' in mine.text and "line_service" not in mine.text
    page = c.get("/phone/service")
    assert "service-resume" in page.text and "service-suspend" not in page.text
    r = c.post(f"/phone/service/{MOBILE}/resume", {"token": "r1"})
    assert r.status_code == 303
    order = world.run(lambda: ProductOrder.select().order_by(ProductOrder.id, ascending=False).first())
    assert finish(world, order["id"], ["review"])["state"] == "completed"
    assert line(world)["state"] == "active"


def test_a_later_suspension_is_booked_for_its_date(world):
    c = customer(world)
    r = c.post(f"/phone/service/{MOBILE}/suspend", {"reason": "出差", "date": "2026-04-01", "token": "s2"})
    assert r.status_code == 303
    order = world.run(lambda: ProductOrder.select().order_by(ProductOrder.id, ascending=False).first())
    finish(world, order["id"], ["review"])
    change = world.run(lambda: ProductChange.select().where(ProductChange.kind == "suspend").first())
    assert change["state"] == "scheduled" and line(world)["state"] == "active"


def test_move_checks_the_area_and_termination_shows_the_settlement(world):
    c = customer(world)
    form = {"province": "浙江省", "city": "杭州市", "district": "滨江区", "street": "江南大道 1 号"}
    bad = c.post(f"/phone/service/{MOBILE}/move", {**form, "date": "2026-03-16", "slot": "09:00-12:00"})
    assert bad.status_code == 400 and 'id="district-error"' in bad.text
    ok = c.post(
        f"/phone/service/{MOBILE}/move", {**form, "district": "西湖区", "date": "2026-03-16", "slot": "09:00-12:00"}
    )
    assert ok.status_code == 303
    order = world.run(lambda: ProductOrder.select().order_by(ProductOrder.id, ascending=False).first())
    assert finish(world, order["id"], ["survey", "appointment", "move"])["state"] == "completed"
    moved = line(world)
    assert moved["characteristics"]["address"]["district"] == "西湖区" and moved["state"] == "active"
    assert "江南大道 1 号" in c.get("/account/products").text
    page = c.get(f"/phone/service/{MOBILE}/terminate")
    assert page.status_code == 200 and "settlement" in page.text


def test_termination_ends_the_line_with_its_settlement(world):
    c = customer(world)
    assert c.post(f"/phone/service/{MOBILE}/terminate", {"token": "t1"}).status_code == 303
    order = world.run(lambda: ProductOrder.select().order_by(ProductOrder.id, ascending=False).first())
    item = world.run(lambda: ProductOrderItem.select().where(ProductOrderItem.order_id == order["id"]).first())
    assert item["action"] == "delete" and "owed_fen" in item["params"]["settlement"]
    assert finish(world, order["id"], ["settle", "remove"])["state"] == "completed"
    assert line(world)["state"] == "terminated"


def test_records_older_service_requests_left_are_ended(world):
    """Orders placed before requests modified the line made a ``line_service`` product: the job ends it."""
    from core.api.products import products_on_numbers
    from plugins.phone.service import end_request_records

    hall, tenant = world.harness.hall, world.harness.tenant("alpha")
    assert customer(world).get("/phone/service").status_code == 200  # the line mirrored
    sn = line(world)
    world.run(
        lambda: Product.insert(
            Product(
                product_key="item:old-1",
                specification="line_service",
                offering_code="phone-suspend",
                name="报停",
                customer_legacy_id=sn["customer_legacy_id"],
                account_legacy_id=sn["account_legacy_id"],
                number=MOBILE,
                state="active",
            )
        )
    )
    assert world.run(end_request_records, hall, tenant) == 1
    assert world.run(end_request_records, hall, tenant) == 0
    live = world.run(products_on_numbers, hall, tenant, sn["customer_legacy_id"], [MOBILE])
    assert [p["specification"] for p in live] == ["line"]
