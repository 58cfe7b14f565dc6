"""Order numbers are unique, consecutive and per tenant, also when many orders are opened at once."""

from __future__ import annotations

import asyncio

from workorder_support import customer

from core.tenancy import tenant_scope
from core.workorders import open_order
from core.workorders.numbering import next_number
from core.workorders.tables import WorkOrder


def test_concurrent_orders_get_distinct_consecutive_numbers(world):
    harness, ids, _ = world
    tenant = harness.tenant("alpha")

    async def one(i):
        with tenant_scope(tenant):
            return await open_order(
                harness.hall,
                "testwo.ticket",
                {"topic": "other", "text": f"#{i}"},
                title=f"t{i}",
                actor=customer(ids["alpha"]),
            )

    async def many():
        return await asyncio.gather(*(one(i) for i in range(12)))

    orders = harness.run(many())
    numbers = sorted(o["number"] for o in orders)
    year = orders[0]["created_at"].year
    assert numbers == [f"TK-{year}-{n:06d}" for n in range(1, 13)]
    assert harness.in_tenant("alpha", lambda: WorkOrder.count()) == 12


def test_a_rolled_back_order_gives_its_number_back(world):
    from core.db import transaction

    harness, ids, _ = world

    async def go():
        try:
            async with transaction():
                await next_number("TK")
                raise RuntimeError("the order failed")
        except RuntimeError:
            pass
        async with transaction():
            return await next_number("TK")

    assert harness.in_tenant("alpha", go).endswith("-000001")
