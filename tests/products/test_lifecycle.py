"""The lifecycle contract: hooks run once per request key, concurrently claimed once, failures held with their
reason and retried by an operator; suspension reasons kept apart; the box sold through an order with steps."""

from __future__ import annotations

import asyncio

import pytest
from product_support import MOBILE

from core.products import lifecycle
from core.products.api import products_on_numbers
from core.products.model import NotFound
from core.products.orders import OrderItem, get_order, place_order
from core.products.states import IllegalTransition
from core.products.tables import LifecycleRequest, Product, ProductEvent, ProductOrderMilestone
from core.tenancy import tenant_scope
from core.workorders import Actor, transition
from core.workorders.tables import WorkOrder

OPERATOR = Actor("operator", None, "Wang", frozenset(), superuser=True)


def add_box(world, key="box-1", offering="box.basic"):
    return world.run(
        place_order,
        world.harness.hall,
        customer_id=world.customer,
        items=[OrderItem("add", offering=offering, number=MOBILE, params={"characteristics": {"size": "L"}})],
        request_key=key,
        title="A box",
        process="testprod.setup",
        customer_account_id=world.account,
    )


def finish(world, order, steps=("finish_check", "finish_install")):
    for action in steps:
        world.run(transition, world.harness.hall, order["workorder_id"], action, OPERATOR)


def test_an_added_product_is_provisioned_once_through_its_steps(world):
    h = world.harness
    order = add_box(world)
    assert order["state"] == "acknowledged" and world.calls == []
    wo = world.run(lambda: WorkOrder.select().where(WorkOrder.id == order["workorder_id"]).first())
    assert (wo["deadline_at"] - wo["created_at"]).total_seconds() == 4 * 3600  # the first step's deadline
    finish(world, order, ("finish_check",))
    wo = world.run(lambda: WorkOrder.select().where(WorkOrder.id == order["workorder_id"]).first())
    assert wo["state"] == "install" and abs((wo["deadline_at"] - wo["updated_at"]).total_seconds() - 24 * 3600) < 60
    assert world.run(get_order, order["id"])["state"] == "in_progress"
    finish(world, order, ("finish_install",))
    assert world.run(get_order, order["id"])["state"] == "in_progress"  # the hook runs after the commit
    world.run(lifecycle.run_pending, h.hall, h.tenant("alpha"))
    world.run(lifecycle.run_pending, h.hall, h.tenant("alpha"))
    assert [c[0] for c in world.calls] == ["provision"]
    assert world.calls[0][2] == f"{order['number']}:1:add"  # the key the plugin passes on
    done = world.run(get_order, order["id"])
    assert done["state"] == "completed"
    box = world.run(lambda: Product.select().where(Product.specification == "box").first())
    assert (box["state"], box["charged_by"], box["monthly_fee_fen"], box["characteristics"]) == (
        "active",
        "hall",
        1000,
        {"size": "L"},
    )
    assert box["started_at"] is not None and box["open_order_id"] is None
    steps = [m["code"] for m in world.run(lambda: ProductOrderMilestone.select().order_by(ProductOrderMilestone.id))]
    assert steps == ["placed", "started", "step", "completed"]


def test_a_failed_provisioning_is_held_with_its_reason_and_retried(world):
    h = world.harness
    tenant = h.tenant("alpha")
    world.fail["provision"] = "RADIUS: connection refused"
    order = add_box(world)
    finish(world, order)
    world.run(lifecycle.run_pending, h.hall, tenant)
    held = world.run(get_order, order["id"])
    assert (held["state"], held["problem"]) == ("held", "RADIUS: connection refused")
    box = world.run(lambda: Product.select().where(Product.specification == "box").first())
    assert (box["state"], box["problem"]) == (
        "pending_active",
        "RADIUS: connection refused",
    )  # never silently half-done
    req = world.run(lambda: LifecycleRequest.select().first())
    assert (req["state"], req["attempts"]) == ("failed", 1)
    world.run(lifecycle.run_pending, h.hall, tenant)  # the sweep leaves failed requests to an operator
    assert len(world.calls) == 1

    del world.fail["provision"]
    world.run(lifecycle.retry, h.hall, tenant, req["id"])
    assert [(c[0], c[3]) for c in world.calls] == [("provision", 1), ("provision", 2)]
    assert world.calls[0][2] == world.calls[1][2]  # the same key both times
    assert world.run(get_order, order["id"])["state"] == "completed"
    box = world.run(lambda: Product.select().where(Product.id == box["id"]).first())
    assert (box["state"], box["problem"]) == ("active", "")
    with pytest.raises(NotFound):  # nothing failed any more
        world.run(lifecycle.retry, h.hall, tenant, req["id"])


def test_giving_up_ends_the_half_made_product(world):
    from core.products import services
    from core.web.audit_helpers import Auditor

    h = world.harness
    world.fail["provision"] = "mail server says no"
    order = add_box(world)
    finish(world, order)
    world.run(lifecycle.run_pending, h.hall, h.tenant("alpha"))
    failed = world.run(
        services.operator_fail,
        h.hall,
        h.tenant("alpha"),
        order["id"],
        "We cannot set it up.",
        Auditor("wang", "operator"),
    )
    assert (failed["state"], failed["note"]) == ("failed", "We cannot set it up.")
    box = world.run(lambda: Product.select().where(Product.specification == "box").first())
    assert box["state"] == "terminated"
    assert world.run(lambda: LifecycleRequest.select().first())["state"] == "abandoned"


def test_the_same_key_calls_the_hook_once_even_concurrently(world):
    h = world.harness
    tenant = h.tenant("alpha")
    order = add_box(world)
    finish(world, order)
    box = world.run(lambda: Product.select().where(Product.specification == "box").first())
    world.run(lifecycle.run_pending, h.hall, tenant)

    async def scenario():
        started = asyncio.Event()

        async def one():
            await started.wait()
            with tenant_scope(tenant):
                return await lifecycle.act(
                    h.hall,
                    tenant,
                    box["id"],
                    "renew",
                    key="renew:2026",
                    params={"characteristics": {"until": "2027-01"}},
                )

        tasks = [asyncio.create_task(one()) for _ in range(6)]
        await asyncio.sleep(0)
        started.set()
        return await asyncio.gather(*tasks)

    results = h.run(scenario())
    assert [c[0] for c in world.calls].count("renew") == 1
    assert {r["request_key"] for r in results} == {"renew:2026"}
    again = world.run(lifecycle.act, h.hall, tenant, box["id"], "renew", key="renew:2026")
    assert again["state"] == "done" and [c[0] for c in world.calls].count("renew") == 1
    box = world.run(lambda: Product.select().where(Product.id == box["id"]).first())
    assert box["characteristics"]["until"] == "2027-01"


def test_suspension_reasons_are_kept_apart(world):
    h = world.harness
    tenant = h.tenant("alpha")
    order = add_box(world)
    finish(world, order)
    world.run(lifecycle.run_pending, h.hall, tenant)
    box_id = world.run(lambda: Product.select().where(Product.specification == "box").first())["id"]
    state = lambda: world.run(lambda: Product.select().where(Product.id == box_id).first())  # noqa: E731

    world.run(lifecycle.act, h.hall, tenant, box_id, "suspend", key="s-customer", params={"reason": "customer"})
    world.run(lifecycle.act, h.hall, tenant, box_id, "suspend", key="s-arrears", params={"reason": "arrears"})
    assert (state()["state"], state()["suspend_reasons"]) == ("suspended", "arrears,customer")
    world.run(lifecycle.act, h.hall, tenant, box_id, "resume", key="r-arrears", params={"reason": "arrears"})
    assert (state()["state"], state()["suspend_reasons"]) == ("suspended", "customer")  # paying arrears ends only that
    world.run(lifecycle.act, h.hall, tenant, box_id, "resume", key="r-customer", params={"reason": "customer"})
    assert (state()["state"], state()["suspend_reasons"]) == ("active", "")
    world.run(lifecycle.act, h.hall, tenant, box_id, "terminate", key="t")
    assert state()["state"] == "terminated" and state()["ended_at"] is not None
    actions = [c[0] for c in world.calls]
    assert actions == ["provision", "suspend", "suspend", "resume", "resume", "terminate"]
    events = [
        e["action"]
        for e in world.run(
            lambda: ProductEvent.select().where(ProductEvent.product_id == box_id).order_by(ProductEvent.id)
        )
    ]
    assert events[-2:] == ["terminate.start", "terminate"]


def test_illegal_moves_are_refused(world):
    from core.products.inventory import move

    product = world.run(
        products_on_numbers, world.harness.hall, world.harness.tenant("alpha"), world.customer, [MOBILE]
    )[0]
    for target in ("created", "pending_active", "terminated"):
        with pytest.raises(IllegalTransition):
            world.run(move, product, target, "test")
    ended = world.run(move, world.run(move, product, "pending_terminate", "test"), "terminated", "test")
    for target in ("active", "suspended", "pending_terminate"):
        with pytest.raises(IllegalTransition):
            world.run(move, ended, target, "test")


def test_a_line_suspended_outside_an_order_is_told_to_the_bss_once(world):
    from core.legacy.outbox_tables import OutboxEvent

    h = world.harness
    tenant = h.tenant("alpha")
    product = world.run(products_on_numbers, h.hall, tenant, world.customer, [MOBILE])[0]
    for _ in range(2):
        world.run(
            lifecycle.act, h.hall, tenant, product["id"], "suspend", key="arrears:2026-03", params={"reason": "arrears"}
        )
    events = world.run(lambda: OutboxEvent.select().where(OutboxEvent.kind == "product.suspend"))
    assert (
        len(events) == 1
        and events[0]["payload"]["number"] == MOBILE
        and events[0]["payload"]["params"] == {"reason": "arrears"}
    )
    assert world.run(lambda: Product.select().where(Product.id == product["id"]).first())["state"] == "suspended"


def test_a_request_left_running_by_a_dead_worker_is_taken_over(world, clock):
    """A worker killed between claiming a request and recording its outcome: after ten minutes another one runs it."""
    h = world.harness
    tenant = h.tenant("alpha")
    order = add_box(world)
    finish(world, order)
    req = world.run(lambda: LifecycleRequest.select().first())
    world.run(
        lambda: LifecycleRequest.update(
            {LifecycleRequest.state: "running", LifecycleRequest.claimed_at: clock.moment}
        ).where(LifecycleRequest.id == req["id"])
    )
    assert world.run(lifecycle.run_pending, h.hall, tenant) == 0  # claimed a moment ago: someone is on it
    clock.advance(minutes=11)
    assert world.run(lifecycle.run_pending, h.hall, tenant) == 1
    assert [c[0] for c in world.calls] == ["provision"] and world.calls[0][3] == 1  # its first call that returned
    assert world.run(get_order, order["id"])["state"] == "completed"


def test_the_jobs_run_through_the_job_runner(world, clock):
    from core.jobs import make_runner
    from core.products.tables import ProductChange

    h = world.harness
    runner = make_runner(h.hall)
    h.run(runner.run_now("core.products.mirror_lines", "alpha"))
    assert world.run(lambda: Product.count()) == 4
    order = add_box(world)
    finish(world, order)
    h.run(runner.run_now("core.products.run", "alpha"))
    assert world.run(get_order, order["id"])["state"] == "completed"
    h.run(runner.run_now("core.products.read_back", "alpha"))
    assert world.run(lambda: ProductChange.count()) == 0
