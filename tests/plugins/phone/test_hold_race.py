"""The hold race: many customers pick the same number at the same moment; exactly one holds it (the unique index on
the live number; with HALL_TEST_DB=postgres, each request on its own connection)."""

from __future__ import annotations

import asyncio

from core.api.db import tenant_scope
from core.api.legacy import OutboxEvent
from core.api.web import FieldErrors
from plugins.phone import holds
from plugins.phone.tables import NumberHold


def test_concurrent_holds_of_one_number_leave_one(world):
    h = world.harness
    tenant = h.tenant("alpha")
    settings = tenant.plugin_settings("phone")

    async def scenario():
        started = asyncio.Event()

        async def one(i):
            await started.wait()
            with tenant_scope(tenant):
                return await holds.take(
                    settings,
                    number="13911112222",
                    kind="mobile",
                    account_id=100 + i,
                    customer_id=f"C{i}",
                    identity=f"id-{i}",
                )

        tasks = [asyncio.create_task(one(i)) for i in range(6)]
        await asyncio.sleep(0)
        started.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = h.run(scenario())
    won = [r for r in results if isinstance(r, dict)]
    lost = [r for r in results if isinstance(r, FieldErrors)]
    assert len(won) == 1 and len(lost) == 5, results
    assert all(r.errors["number"][0] == holds.JUST_TAKEN for r in lost)
    assert world.run(lambda: NumberHold.count()) == 1
    assert world.run(lambda: OutboxEvent.count().where(OutboxEvent.kind == "number.reserved")) == 1


def test_an_identity_holds_at_most_its_limit(world):
    tenant = world.harness.tenant("alpha")
    settings = tenant.plugin_settings("phone")

    async def take(number, account):
        return await holds.take(
            settings, number=number, kind="mobile", account_id=account, customer_id="C1", identity="same-person"
        )

    world.run(take, "13911112222", 201)
    world.run(take, "13911113333", 202)
    try:
        world.run(take, "13911114444", 203)
    except FieldErrors as exc:
        assert "number" in exc.errors
    else:
        raise AssertionError("a third hold for one identity")
