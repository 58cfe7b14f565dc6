"""The payment step: an order with a fee or deposit waits for its payment, goes on exactly once when paid however
often the gateway says so, and gives the money back when it is cancelled or paid too late."""

from __future__ import annotations

import pytest
from product_support import MOBILE, build

from core.legacy.outbox_tables import OutboxEvent
from core.payments import get_intent
from core.payments.providers import GatewayResult
from core.payments.settle import settle
from core.products import refunds, services
from core.products.orders import OrderItem, get_order, place_order
from core.products.tables import ProductOrderMilestone
from core.workorders.tables import WorkOrder


@pytest.fixture
def paying(hall_factory):
    return build(hall_factory, payments=True)


def add_paid_box(world, key="paid-1"):
    return world.run(
        place_order,
        world.harness.hall,
        customer_id=world.customer,
        items=[OrderItem("add", offering="box.paid", number=MOBILE)],
        request_key=key,
        title="A paid box",
        process="testprod.setup",
        customer_account_id=world.account,
    )


def paid(world, intent_id, amount=2000):
    world.harness.payments.gateway("alpha").pay(intent_id, amount)
    return world.run(
        settle, world.harness.hall, "fake", GatewayResult(intent_id, "T-" + intent_id, "succeeded", amount, {})
    )


def kinds(world):
    return [e["kind"] for e in world.run(lambda: OutboxEvent.select(OutboxEvent.kind).order_by(OutboxEvent.id))]


def test_an_order_with_fees_waits_for_its_payment_and_goes_on_once(paying):
    world = paying
    order = add_paid_box(world)
    assert (order["state"], order["amount_fen"]) == ("pending", 2000)
    intent = world.run(get_intent, order["payment_intent"])
    assert (intent.owner, intent.purpose, intent.reference, intent.amount_fen) == (
        "core.products",
        "product_order",
        order["number"],
        2000,
    )
    assert intent.metadata["items"][0] == {
        "seq": 1,
        "number": MOBILE,
        "offering": "box.paid",
        "one_off_fen": 500,
        "deposit_fen": 1500,
    }
    assert order["workorder_id"] is None and kinds(world) == []  # the BSS hears of it once it is paid

    outcomes = [paid(world, intent.id) for _ in range(3)]
    assert [o.value for o in outcomes] == ["credited", "duplicate", "duplicate"]
    order = world.run(get_order, order["id"])
    assert order["state"] == "acknowledged" and order["workorder_id"] is not None
    assert world.run(lambda: WorkOrder.count()) == 1
    assert kinds(world).count("productOrder.created") == 1 and kinds(world).count("payment.posted") == 1
    codes = [m["code"] for m in world.run(lambda: ProductOrderMilestone.select().order_by(ProductOrderMilestone.id))]
    assert codes == ["placed", "awaiting_payment", "paid"]


def test_cancelled_before_paying_closes_the_payment_and_tells_the_bss_nothing(paying):
    world = paying
    h = world.harness
    order = add_paid_box(world)
    gateway = h.payments.gateway("alpha")
    world.run(services.cancel_by_customer, h.hall, h.tenant("alpha"), order["id"], world.customer)
    assert world.run(get_order, order["id"])["state"] == "cancelled"
    assert world.run(get_intent, order["payment_intent"]).state == "canceled"
    assert kinds(world) == []
    assert not any(c.startswith("refund:") for c in gateway.calls)


def test_cancelled_after_paying_is_refunded_once(paying):
    world = paying
    h = world.harness
    order = add_paid_box(world)
    paid(world, order["payment_intent"])
    world.run(services.cancel_by_customer, h.hall, h.tenant("alpha"), order["id"], world.customer)
    intent = world.run(get_intent, order["payment_intent"])
    assert intent.state == "refunded" and intent.refunded_fen == 2000
    assert sum(h.payments.gateway("alpha").trades[intent.id].refunds.values()) == 2000
    assert world.run(refunds.refund_closed, h.hall) == 0  # the sweep finds nothing left
    assert kinds(world).count("productOrder.cancelled") == 1 and kinds(world).count("payment.refunded") == 1
    wo = world.run(lambda: WorkOrder.select().first())
    assert wo["state"] == "cancelled"


def test_a_payment_arriving_after_the_cancellation_is_given_back_by_the_sweep(paying):
    world = paying
    h = world.harness
    order = add_paid_box(world)
    world.run(services.cancel_by_customer, h.hall, h.tenant("alpha"), order["id"], world.customer)
    paid(world, order["payment_intent"])  # the gateway took the money after all (its page was still open)
    assert world.run(get_order, order["id"])["state"] == "cancelled"  # not revived
    assert world.run(lambda: WorkOrder.count()) == 0
    assert world.run(refunds.refund_closed, h.hall) == 1
    assert world.run(refunds.refund_closed, h.hall) == 0
    assert world.run(get_intent, order["payment_intent"]).refunded_fen == 2000


def test_without_a_payment_provider_nothing_with_a_fee_can_be_ordered(world):
    from core.products.model import ProductError

    with pytest.raises(ProductError) as refused:
        add_paid_box(world)
    assert "Online payment is not available" in refused.value.message
    from core.products.tables import ProductOrder

    assert world.run(lambda: ProductOrder.count()) == 0
