"""A plan change from order to effect: eligibility, the work order, the BSS told, the pending change shown, the
operator completing it, the change applied on the first of next month (tenant's zone), messages at milestones."""

from __future__ import annotations

import datetime as dt

from product_support import MOBILE

from core.legacy.outbox_tables import OutboxEvent
from core.notify.tables import Message
from core.products import changes, lifecycle
from core.products.api import offers_for, products_on_numbers
from core.products.orders import OrderItem, get_order, place_order
from core.products.tables import Product, ProductChange
from core.workorders import Actor, transition
from core.workorders.tables import WorkOrder


def _line(world, number=MOBILE):
    rows = world.run(products_on_numbers, world.harness.hall, world.harness.tenant("alpha"), world.customer, [number])
    return rows[0]


def _order(world, product_id, offering="m88", key="k1"):
    return world.run(
        place_order,
        world.harness.hall,
        customer_id=world.customer,
        items=[OrderItem("modify", offering=offering, product_id=product_id)],
        request_key=key,
        title="Plan change",
        process="testprod.change",
        customer_account_id=world.account,
        language="en",
    )


def test_a_plan_change_goes_from_order_to_effect(world, clock):
    clock.set(dt.datetime(2026, 1, 31, 17, 0, tzinfo=dt.timezone.utc))  # 1 February 01:00 in Shanghai
    hall, tenant = world.harness.hall, world.harness.tenant("alpha")
    product = _line(world)
    assert (product["legacy_code"], product["offering_code"], product["state"]) == ("T58", "m58", "active")
    offers = {o.code: reasons for o, reasons in world.run(offers_for, hall, tenant, world.customer, product["id"])}
    assert set(offers) == {"m88", "m19", "m128"}  # same group only; the fixed-line plan is not offered
    assert offers["m88"] == []

    order = _order(world, product["id"])
    assert order["state"] == "acknowledged" and order["workorder_id"] is not None
    first_of_march_shanghai = dt.datetime(2026, 2, 28, 16, 0, tzinfo=dt.timezone.utc)
    change = world.run(lambda: ProductChange.select().where(ProductChange.product_id == product["id"]).first())
    assert (change["state"], change["effective_at"]) == ("ordered", first_of_march_shanghai)
    events = world.run(lambda: OutboxEvent.select().order_by(OutboxEvent.id))
    created = [e for e in events if e["kind"] == "productOrder.created"]
    assert len(created) == 1 and created[0]["payload"]["items"][0]["legacy_code"] == "T88"
    assert created[0]["payload"]["items"][0]["from_legacy_code"] == "T58"

    # the operator completes it through the work order
    op = Actor("operator", None, "Wang", frozenset({"core.workorders.handle"}), superuser=True)
    world.run(transition, hall, order["workorder_id"], "finish_confirm", op)
    world.run(lifecycle.run_pending, hall, tenant)
    order = world.run(get_order, order["id"])
    assert order["state"] == "completed"
    assert [c[0] for c in world.calls] == []  # a line is the core's: no plugin hook for a modify in an order
    change = world.run(lambda: ProductChange.select().where(ProductChange.id == change["id"]).first())
    assert change["state"] == "scheduled"
    assert world.run(lambda: Product.select().where(Product.id == product["id"]).first())["offering_code"] == "m58"

    clock.set(first_of_march_shanghai - dt.timedelta(seconds=1))
    assert world.run(changes.apply_due, hall, tenant) == 0
    clock.set(first_of_march_shanghai)
    assert world.run(changes.apply_due, hall, tenant) == 1
    assert world.run(changes.apply_due, hall, tenant) == 0  # exactly once
    after = world.run(lambda: Product.select().where(Product.id == product["id"]).first())
    assert (after["offering_code"], after["legacy_code"], after["monthly_fee_fen"]) == ("m88", "T88", 8800)

    kinds = [e["kind"] for e in world.run(lambda: OutboxEvent.select().order_by(OutboxEvent.id))]
    assert kinds.count("productOrder.created") == 1 and kinds.count("productOrder.completed") == 1
    bodies = [
        m["body_text"]
        for m in world.run(lambda: Message.select().where(Message.purpose == "product_order").order_by(Message.id))
    ]
    assert len(bodies) == 4 and "2026-03-01" in bodies[2]  # placed, started, completed (with the date), applied
    wo = world.run(lambda: WorkOrder.select().where(WorkOrder.id == order["workorder_id"]).first())
    assert wo["state"] == "completed"
