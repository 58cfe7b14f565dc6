"""Placing product orders: eligibility, one order per submission (also concurrently), one open order per product,
the customer's cancellation rules, and the BSS's events."""

from __future__ import annotations

import asyncio

import pytest
from product_support import MOBILE, OTHER, SECOND

from core.db import piccolo_conf
from core.legacy.outbox_tables import OutboxEvent
from core.legacy.ports import PoolNumber
from core.products import services
from core.products.api import offers_for, products_on_numbers
from core.products.model import Conflict, NotEligible, NotFound
from core.products.orders import OrderItem, get_order, place_order
from core.products.tables import Product, ProductChange, ProductOrder
from core.tenancy import tenant_scope
from core.workorders import Actor, claim, transition
from core.workorders.tables import WorkOrder


def line_of(world, number=MOBILE):
    h = world.harness
    return world.run(products_on_numbers, h.hall, h.tenant("alpha"), world.customer, [number])[0]


def order(world, product_id, offering="m88", key="k1", process="testprod.change", customer=None):
    return world.run(
        place_order,
        world.harness.hall,
        customer_id=customer or world.customer,
        items=[OrderItem("modify", offering=offering, product_id=product_id)],
        request_key=key,
        title="Plan change",
        process=process,
        customer_account_id=world.account,
    )


def reasons_of(exc) -> list[str]:
    return [message for message, _ in exc.value.reasons]


def test_eligibility_refuses_with_every_reason(world):
    product = line_of(world)
    with pytest.raises(NotEligible) as same:
        order(world, product["id"], "m58")
    assert reasons_of(same) == ["This is what you have already."]
    with pytest.raises(NotEligible) as other_group:
        order(world, product["id"], "f25")
    assert reasons_of(other_group) == ["This offering is not available for this kind of number."]
    with pytest.raises(NotFound):
        order(world, product["id"], "no-such-plan")
    other = world.run(lambda: Product.select().where(Product.number == OTHER).first())
    assert other is None  # the other customer's line is not even mirrored yet; and never theirs to order on
    assert world.run(lambda: ProductOrder.count()) == 0


def test_the_fee_must_cover_the_numbers_minimum_spend(world):
    h = world.harness
    product = line_of(world, SECOND)  # student plan, 19 yuan
    world.connector().pool[SECOND] = PoolNumber(SECOND, "mobile", "0571", grade=2, min_spend_fen=5800, status="taken")
    offers = {
        o.code: [m for m, _ in r]
        for o, r in world.run(offers_for, h.hall, h.tenant("alpha"), world.customer, product["id"])
    }
    assert offers["m58"] == [] and offers["m88"] == [] and offers["m128"] == []
    world.connector().pool[SECOND] = PoolNumber(SECOND, "mobile", "0571", grade=3, min_spend_fen=8800, status="taken")
    with pytest.raises(NotEligible) as refused:
        order(world, product["id"], "m58")
    assert "below the minimum monthly spend" in reasons_of(refused)[0]
    assert refused.value.reasons[0][1] == {"fee": "58.00", "min": "88.00"}
    assert order(world, product["id"], "m88")["state"] == "acknowledged"
    mobile = line_of(world, MOBILE)
    world.run(lambda: Product.update({Product.min_spend_fen: 20000}).where(Product.id == mobile["id"]))
    world.connector().down = True  # the pool is away: the hall's own record of the number still counts
    with pytest.raises(NotEligible) as recorded:
        order(world, mobile["id"], "m128", key="k2")
    assert recorded.value.reasons[0][1] == {"fee": "128.00", "min": "200.00"}


def test_the_same_submission_places_one_order(world):
    product = line_of(world)
    first = order(world, product["id"], key="same")
    again = order(world, product["id"], key="same")
    assert first["id"] == again["id"]
    assert world.run(lambda: ProductOrder.count()) == 1
    assert world.run(lambda: WorkOrder.count()) == 1
    kinds = [e["kind"] for e in world.run(lambda: OutboxEvent.select(OutboxEvent.kind))]
    assert kinds.count("productOrder.created") == 1
    with pytest.raises(Conflict):  # another customer replaying the key gets nothing of it
        order(world, product["id"], key="same", customer="C00002")


def test_concurrent_double_submit_places_one_order(world):
    """Eight submissions of one form at the same moment (PostgreSQL: eight connections) give one order and one number."""
    h = world.harness
    tenant = h.tenant("alpha")
    product = line_of(world)

    async def scenario():
        started = asyncio.Event()

        async def one():
            await started.wait()
            with tenant_scope(tenant):
                return await place_order(
                    h.hall,
                    customer_id=world.customer,
                    items=[OrderItem("modify", offering="m88", product_id=product["id"])],
                    request_key="double",
                    title="Plan change",
                    process="testprod.change",
                    customer_account_id=world.account,
                )

        tasks = [asyncio.create_task(one()) for _ in range(8)]
        await asyncio.sleep(0)
        started.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = h.run(scenario())
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert len({r["id"] for r in results}) == 1
    orders = world.run(lambda: ProductOrder.select())
    assert len(orders) == 1 and orders[0]["number"].endswith("-000001")
    assert world.run(lambda: WorkOrder.count()) == 1
    assert world.run(lambda: ProductChange.count()) == 1
    if not h.hall.db.is_sqlite:
        assert getattr(piccolo_conf.DB, "pool", None) is None  # separate connections, really concurrent


def test_two_different_orders_for_one_product_cannot_both_be_open(world):
    h = world.harness
    tenant = h.tenant("alpha")
    product = line_of(world)

    async def scenario():
        async def one(key, offering):
            with tenant_scope(tenant):
                return await place_order(
                    h.hall,
                    customer_id=world.customer,
                    items=[OrderItem("modify", offering=offering, product_id=product["id"])],
                    request_key=key,
                    title="Plan change",
                    process="testprod.change",
                )

        return await asyncio.gather(one("a", "m88"), one("b", "m19"), return_exceptions=True)

    results = h.run(scenario())
    placed = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(placed) == 1 and len(refused) == 1 and isinstance(refused[0], (Conflict, NotEligible)), results
    assert world.run(lambda: ProductOrder.count()) == 1
    # once it is completed, its booked change still blocks another until it takes effect
    op = Actor("operator", None, "Wang", frozenset(), superuser=True)
    world.run(transition, h.hall, placed[0]["workorder_id"], "finish_confirm", op)
    with pytest.raises(NotEligible) as booked:
        order(world, product["id"], "m19", key="c")
    assert reasons_of(booked) == ["A change of this is already booked; it must take effect first."]


def test_the_customer_cancels_until_work_starts(world):
    h = world.harness
    tenant = h.tenant("alpha")
    product = line_of(world)
    placed = order(world, product["id"])
    cancelled = world.run(services.cancel_by_customer, h.hall, tenant, placed["id"], world.customer)
    assert cancelled["state"] == "cancelled"
    change = world.run(lambda: ProductChange.select().first())
    assert change["state"] == "cancelled"
    assert world.run(lambda: Product.select().where(Product.id == product["id"]).first())["open_order_id"] is None
    wo = world.run(lambda: WorkOrder.select().where(WorkOrder.id == placed["workorder_id"]).first())
    assert wo["state"] == "cancelled"
    kinds = [e["kind"] for e in world.run(lambda: OutboxEvent.select(OutboxEvent.kind).order_by(OutboxEvent.id))]
    assert kinds == ["productOrder.created", "productOrder.cancelled"]
    with pytest.raises(Conflict):  # closed
        world.run(services.cancel_by_customer, h.hall, tenant, placed["id"], world.customer)

    second = order(world, product["id"], key="k2")  # the product is free again
    op = Actor("operator", None, "Wang", frozenset({"core.workorders.handle"}), superuser=True)
    world.run(claim, h.hall, second["workorder_id"], Actor("operator", 7, "Li", frozenset({"core.workorders.handle"})))
    assert world.run(get_order, second["id"])["state"] == "in_progress"  # an operator took it: work started
    with pytest.raises(Conflict) as started:
        world.run(services.cancel_by_customer, h.hall, tenant, second["id"], world.customer)
    assert "can no longer be cancelled" in started.value.message
    with pytest.raises(NotFound):  # not theirs
        world.run(services.cancel_by_customer, h.hall, tenant, second["id"], "C00002")
    world.run(transition, h.hall, second["workorder_id"], "finish_confirm", op)
    assert world.run(get_order, second["id"])["state"] == "completed"


def test_a_rejected_work_order_fails_the_order_with_the_operators_note(world):
    h = world.harness
    product = line_of(world)
    placed = order(world, product["id"])
    op = Actor("operator", None, "Wang", frozenset(), superuser=True)
    world.run(
        transition, h.hall, placed["workorder_id"], "reject", op, comment="The number is under contract until June."
    )
    failed = world.run(get_order, placed["id"])
    assert (failed["state"], failed["note"]) == ("failed", "The number is under contract until June.")
    assert world.run(lambda: ProductChange.select().first())["state"] == "cancelled"
    failed_event = world.run(lambda: OutboxEvent.select().where(OutboxEvent.kind == "productOrder.failed").first())
    assert failed_event["payload"]["note"] == "The number is under contract until June."


def test_orders_are_per_tenant(world):
    h = world.harness
    product = line_of(world)
    placed = order(world, product["id"])
    with pytest.raises(NotFound):
        world.run(get_order, placed["id"], tenant="beta")
    with pytest.raises(NotFound):  # alpha's product does not exist for beta
        world.run(
            place_order,
            h.hall,
            customer_id=world.customer,
            items=[OrderItem("modify", offering="m88", product_id=product["id"])],
            request_key="x",
            title="t",
            tenant="beta",
        )


def test_a_product_is_added_on_the_customers_own_number_and_its_account(world):
    from core.auth.tables import ServiceNumber

    h = world.harness
    world.run(
        lambda: ServiceNumber.update({ServiceNumber.account_legacy_id: "ACC-7"}).where(ServiceNumber.number == SECOND)
    )

    def add(number, key):
        return world.run(
            place_order,
            h.hall,
            customer_id=world.customer,
            items=[OrderItem("add", offering="box.basic", number=number)],
            request_key=key,
            title="A box",
        )

    with pytest.raises(NotFound):
        add(OTHER, "theirs")
    placed = add(SECOND, "mine")
    assert placed["account_legacy_id"] == "ACC-7" and placed["state"] == "completed"
    box = world.run(lambda: Product.select().where(Product.specification == "box").first())
    assert (box["account_legacy_id"], box["number"], box["state"]) == ("ACC-7", SECOND, "active")
    assert add("13300000000", "new-number")["account_legacy_id"] == "13300000000"  # not synced yet: its own account
