"""The recurring charge run: once per product and month, a missed month caught up, zero fees skipped, the BSS told
once per charge; concurrent runs on PostgreSQL charge each product once. The clock is the test's, never today's."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

from charge_support import UTC, charge_events, charges, make_boxes
from product_support import build

from core.db import piccolo_conf
from core.products import lifecycle
from core.products.charge_tables import ChargeRun
from core.products.charges import charge_event_id, periods_to_charge, run_charges
from core.products.settings import products_settings
from core.products.tables import Product
from core.tenancy import tenant_scope


def run(world):
    h = world.harness
    return world.run(run_charges, h.hall, h.tenant("alpha"))


def test_a_run_charges_each_month_once_and_catches_up_a_missed_month(world, clock):
    box, other = world.run(make_boxes, 2)
    clock.set(dt.datetime(2026, 2, 3, 1, 0, tzinfo=UTC))
    first = run(world)
    assert (first["charged"], first["skipped"], first["failed"]) == (4, 0, 0)  # January and February, both boxes
    assert run(world)["charged"] == 0  # a second run the same day charges nothing
    # no run at all in March; the run in May catches March up
    clock.set(dt.datetime(2026, 5, 2, 1, 0, tzinfo=UTC))
    assert run(world)["charged"] == 6
    got = world.run(charges)
    assert [(c["product_id"], c["period"], c["state"], c["amount_fen"]) for c in got if c["product_id"] == box] == [
        (box, p, "posted", 1000) for p in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05")
    ]
    events = world.run(charge_events)
    assert len(events) == len(got) == 10
    assert len({e["event_id"] for e in events}) == 10
    event = next(e for e in events if e["event_id"] == charge_event_id("alpha", box, "2026-03"))
    payload = event["payload"] if isinstance(event["payload"], dict) else json.loads(event["payload"])
    assert event["kind"] == "charge.posted"
    assert payload | {"charge": ""} == {
        "charge": "",
        "account": "A1",
        "customer_id": "",
        "product": "test:box:A1:0",
        "number": "A1-0",
        "offering": "box.basic",
        "legacy_code": "",
        "period": "2026-03",
        "amount_fen": 1000,
        "settle": "bss",
    }
    runs = world.run(lambda: ChargeRun.select().order_by(ChargeRun.id))
    assert [(r["state"], r["charged"]) for r in runs] == [("done", 4), ("done", 0), ("done", 6)]
    assert runs[2]["periods"] == "2026-03 2026-04 2026-05"


def test_months_are_the_tenants_and_first_period_holds_back_earlier_ones(hall_factory, clock):
    world = build(hall_factory, products={"charges": {"first_period": "2026-02"}})
    tenant = world.harness.tenant("alpha")
    settings = products_settings(world.harness.hall, tenant).charges
    # 31 January 17:00 UTC is already 1 February in Shanghai
    labels = [p[0] for p in periods_to_charge(dt.datetime(2026, 1, 31, 17, 0, tzinfo=UTC), tenant, settings)]
    assert labels == ["2026-02"]
    world.run(make_boxes, 1)
    clock.set(dt.datetime(2026, 1, 31, 17, 0, tzinfo=UTC))
    assert run(world)["charged"] == 1
    assert [c["period"] for c in world.run(charges)] == ["2026-02"]


def test_zero_fees_and_a_customers_own_suspension_are_skipped_with_reasons(world, clock):
    free, paused, charged = world.run(make_boxes, 3)
    world.run(lambda: Product.update({Product.monthly_fee_fen: 0}).where(Product.id == free))
    h = world.harness
    world.run(lifecycle.act, h.hall, h.tenant("alpha"), paused, "suspend", key="own", params={"reason": "customer"})
    clock.set(dt.datetime(2026, 1, 20, 1, 0, tzinfo=UTC))
    result = run(world)
    assert (result["charged"], result["skipped"]) == (1, 2)
    got = {c["product_id"]: c for c in world.run(charges)}
    assert (got[free]["state"], got[free]["reason"], got[free]["amount_fen"]) == ("skipped", "no_fee", 0)
    assert (got[paused]["state"], got[paused]["reason"]) == ("skipped", "customer_suspended")
    assert got[charged]["state"] == "posted"
    assert len(world.run(charge_events)) == 1  # no zero charge reaches the BSS


def test_ended_products_are_charged_for_the_month_they_ended_in_and_not_after(world, clock):
    (box,) = world.run(make_boxes, 1)
    h = world.harness
    clock.set(dt.datetime(2026, 2, 10, 1, 0, tzinfo=UTC))
    world.run(lifecycle.act, h.hall, h.tenant("alpha"), box, "terminate", key="end")
    clock.set(dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # the run looks at January to March
    run(world)
    assert [c["period"] for c in world.run(charges)] == ["2026-01", "2026-02"]


def test_concurrent_runs_charge_each_product_once(world, clock):
    """Four runs at the same moment (PostgreSQL: four connections) leave one charge and one event per product and month."""
    world.run(make_boxes, 12, account="A1")
    world.run(make_boxes, 12, account="A2")
    clock.set(dt.datetime(2026, 2, 3, 1, 0, tzinfo=UTC))
    h = world.harness
    tenant = h.tenant("alpha")

    async def scenario():
        started = asyncio.Event()

        async def one():
            await started.wait()
            with tenant_scope(tenant):
                return await run_charges(h.hall, tenant)

        tasks = [asyncio.create_task(one()) for _ in range(4)]
        await asyncio.sleep(0)
        started.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = h.run(scenario())
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(r["charged"] for r in results) == 48 and all(r["failed"] == 0 for r in results)
    got = world.run(charges)
    assert len(got) == 48 == len({(c["product_id"], c["period"]) for c in got})
    events = world.run(charge_events)
    assert len(events) == 48 == len({e["event_id"] for e in events})
    if not h.hall.db.is_sqlite:
        assert getattr(piccolo_conf.DB, "pool", None) is None  # separate connections, really concurrent
