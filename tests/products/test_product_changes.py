"""Orders that modify a product without changing its offering (OrderItem.change): a suspension for the
customer's reason kept apart from arrears, a resumption, new characteristics, a dated suspension booked for its
day - none of them makes a product of its own, and the BSS reads the change in the order's items."""

from __future__ import annotations

import datetime as dt

import pytest
from product_support import MOBILE

from core.legacy.outbox_tables import OutboxEvent
from core.products import changes, lifecycle
from core.products.api import products_on_numbers
from core.products.model import NotEligible, ProductError
from core.products.orders import OrderItem, get_order, place_order
from core.products.tables import Product, ProductChange


def _line(world):
    hall, tenant = world.harness.hall, world.harness.tenant("alpha")
    return world.run(products_on_numbers, hall, tenant, world.customer, [MOBILE])[0]


def _change(world, product_id, change, key, params=None, when=None):
    order = world.run(
        place_order,
        world.harness.hall,
        customer_id=world.customer,
        items=[OrderItem("modify", product_id=product_id, change=change, params=params or {}, effective_at=when)],
        request_key=key,
        title=f"{change} of the line",
        process="",
        customer_account_id=world.account,
        language="en",
    )
    world.run(lifecycle.run_pending, world.harness.hall, world.harness.tenant("alpha"))
    return world.run(get_order, order["id"])


def _products(world):
    return world.run(lambda: Product.count())


def test_suspend_and_resume_modify_the_line_itself(world):
    line = _line(world)
    before = _products(world)
    order = _change(world, line["id"], "suspend", "s1", {"reason": "customer", "remark": "abroad"})
    assert order["state"] == "completed"
    line = _line(world)
    assert (line["state"], line["suspend_reasons"], line["offering_code"]) == ("suspended", "customer", "m58")
    assert _products(world) == before  # no product of its own for the request
    completed = world.run(
        lambda: OutboxEvent.select().where(OutboxEvent.kind == "productOrder.completed").order_by(OutboxEvent.id)
    )
    item = completed[-1]["payload"]["items"][0]
    assert (item["action"], item["change"], item["params"]["remark"]) == ("modify", "suspend", "abroad")
    assert "request_key" not in item["params"]

    # arrears on top: resuming the customer's reason leaves it suspended for arrears
    world.run(
        lifecycle.act,
        world.harness.hall,
        world.harness.tenant("alpha"),
        line["id"],
        "suspend",
        key="arrears-1",
        params={"reason": "arrears"},
    )
    with pytest.raises(NotEligible):  # already suspended at the customer's request
        _change(world, line["id"], "suspend", "s2", {"reason": "customer"})
    assert _change(world, line["id"], "resume", "r1", {"reason": "customer"})["state"] == "completed"
    line = _line(world)
    assert (line["state"], line["suspend_reasons"]) == ("suspended", "arrears")
    with pytest.raises(NotEligible):  # nothing the customer asked for is left to resume
        _change(world, line["id"], "resume", "r2", {"reason": "customer"})


def test_new_characteristics_are_merged_into_the_product(world):
    line = _line(world)
    address = {"city": "杭州市", "street": "江南大道 1 号"}
    order = _change(world, line["id"], "characteristics", "m1", {"characteristics": {"address": address}})
    assert order["state"] == "completed"
    chars = _line(world)["characteristics"]
    assert chars["address"] == address and chars["number_kind"]  # merged, the mirror's own kept


def test_a_dated_suspension_is_booked_and_applied_on_its_day(world, clock):
    clock.set(dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.timezone.utc))
    line = _line(world)
    day = dt.datetime(2026, 3, 14, 16, 0, tzinfo=dt.timezone.utc)  # 15 March 00:00 in Shanghai
    order = _change(world, line["id"], "suspend", "d1", {"reason": "customer"}, when=day)
    assert order["state"] == "completed" and _line(world)["state"] == "active"
    change = world.run(lambda: ProductChange.select().where(ProductChange.order_id == order["id"]).first())
    assert (change["kind"], change["state"], change["effective_at"]) == ("suspend", "scheduled", day)
    clock.set(day + dt.timedelta(minutes=1))
    hall, tenant = world.harness.hall, world.harness.tenant("alpha")
    assert world.run(changes.apply_due, hall, tenant) == 1
    world.run(lifecycle.run_pending, hall, tenant)
    assert (_line(world)["state"], _line(world)["suspend_reasons"]) == ("suspended", "customer")


def test_an_unknown_change_is_refused(world):
    line = _line(world)
    with pytest.raises(ProductError):
        _change(world, line["id"], "explode", "x1")
    with pytest.raises(ProductError):
        world.run(
            place_order,
            world.harness.hall,
            customer_id=world.customer,
            items=[OrderItem("add", offering="m88", number=MOBILE, change="suspend")],
            request_key="x2",
            title="nonsense",
            customer_account_id=world.account,
        )


def test_a_change_whose_step_fails_and_is_given_up_changes_nothing(world):
    from core.products import services
    from core.web.audit_helpers import Auditor

    from test_lifecycle import add_box, finish

    h = world.harness
    order = add_box(world)
    finish(world, order)
    world.run(lifecycle.run_pending, h.hall, h.tenant("alpha"))
    box = world.run(lambda: Product.select().where(Product.specification == "box").first())
    world.fail["suspend"] = "mail server says no"
    held = _change(world, box["id"], "suspend", "fail-1", {"reason": "customer"})
    assert held["state"] == "held"
    world.run(services.operator_fail, h.hall, h.tenant("alpha"), held["id"], "No.", Auditor("wang", "operator"))
    change = world.run(lambda: ProductChange.select().where(ProductChange.order_id == held["id"]).first())
    box = world.run(lambda: Product.select().where(Product.id == box["id"]).first())
    assert change["state"] == "cancelled" and box["state"] == "active"
