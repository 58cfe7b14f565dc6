"""Concurrent duplicate notifications credit once: several connections settle the same payment at the same moment."""

from __future__ import annotations

import asyncio

from core.db import piccolo_conf
from core.legacy.outbox_tables import OutboxEvent
from core.payments import create_intent, get_intent, start_checkout
from core.payments.providers import GatewayResult
from core.payments.settle import Outcome, settle
from core.tenancy import tenant_scope

COPIES = 8


def test_concurrent_duplicate_settlements_credit_once(pay):
    h, plugin = pay
    tenant = h.tenant("alpha")

    async def scenario():
        with tenant_scope(tenant):
            intents = []
            for n in range(5):
                intent = await create_intent(
                    h.hall,
                    purpose="card",
                    owner="testshop",
                    reference=f"r{n}",
                    customer_id="C1",
                    amount_fen=500,
                    provider="fake",
                    idempotency_key=f"k{n}",
                )
                await start_checkout(h.hall, intent.id, channel="pc", return_url="http://a/r", notify_url="http://a/n")
                intents.append(intent)
        started = asyncio.Event()

        async def one(intent_id):
            await started.wait()
            with tenant_scope(tenant):
                return await settle(h.hall, "fake", GatewayResult(intent_id, "T-" + intent_id, "succeeded", 500, {}))

        tasks = [asyncio.create_task(one(i.id)) for i in intents for _ in range(COPIES)]
        await asyncio.sleep(0)
        started.set()  # every task is waiting: release them together
        return intents, await asyncio.gather(*tasks)

    intents, outcomes = h.run(scenario())
    for n, intent in enumerate(intents):
        mine = outcomes[n * COPIES : (n + 1) * COPIES]
        assert sorted(o.value for o in mine) == ["credited"] + ["duplicate"] * (COPIES - 1), mine
        assert h.in_tenant("alpha", get_intent, intent.id).state == "succeeded"
    posted = h.in_tenant("alpha", lambda: OutboxEvent.select(OutboxEvent.kind, OutboxEvent.payload))
    for kind in ("payment.posted", "shop.delivered"):
        assert sorted(e["payload"]["intent_id"] for e in posted if e["kind"] == kind) == sorted(i.id for i in intents)
    assert Outcome.CREDITED.handled and Outcome.DUPLICATE.handled
    if not h.hall.db.is_sqlite:  # the copies really ran on separate PostgreSQL connections (no pool in tests)
        assert getattr(piccolo_conf.DB, "pool", None) is None


def test_concurrent_refunds_never_exceed_what_was_paid(pay):
    from core.payments import PaymentError, refund

    h, plugin = pay
    tenant = h.tenant("alpha")

    async def scenario():
        with tenant_scope(tenant):
            intent = await create_intent(
                h.hall,
                purpose="card",
                owner="testshop",
                reference="r",
                customer_id="C1",
                amount_fen=1000,
                provider="fake",
                idempotency_key="k",
            )
            await start_checkout(h.hall, intent.id, channel="pc", return_url="http://a/r", notify_url="http://a/n")
            plugin.gateway("alpha").pay(intent.id)
            await settle(h.hall, "fake", GatewayResult(intent.id, "T", "succeeded", 1000, {}))

        async def one(n):
            with tenant_scope(tenant):
                try:
                    return await refund(h.hall, intent.id, 300, reason=f"clerk {n}", operator=f"clerk{n}")
                except PaymentError:
                    return None

        return intent, await asyncio.gather(*(one(n) for n in range(5)))

    intent, results = h.run(scenario())
    done = [r for r in results if r is not None]
    assert len(done) == 3 and all(state == "succeeded" for _, state in done)  # 3 × 300 fit into 1000, a fourth does not
    after = h.in_tenant("alpha", get_intent, intent.id)
    assert (after.refunded_fen, after.state) == (900, "partially_refunded")
    assert sum(plugin.gateway("alpha").trades[intent.id].refunds.values()) == 900
