"""Keyed refunds: one refund per key and tenant, whatever the retries, the concurrency or a crash half-way."""

from __future__ import annotations

import asyncio

import pytest
from test_pay_refunds_reconcile import paid_intent

from core.legacy.outbox_tables import OutboxEvent
from core.payments import get_intent
from core.payments.refunds import reserve
from core.payments.tables import Refund
from core.api.payments import IdempotencyConflict, PaymentError, refund, refund_id_for
from core.tenancy import tenant_scope

COPIES = 8


def refunds_of(h, intent_id):
    return h.in_tenant("alpha", lambda: Refund.select().where(Refund.intent_id == intent_id))


def test_concurrent_refunds_with_one_key_refund_once(pay):
    h, plugin = pay
    intent = paid_intent(h, plugin, amount=1000)
    tenant = h.tenant("alpha")

    async def scenario():
        started = asyncio.Event()

        async def one():
            await started.wait()
            with tenant_scope(tenant):
                return await refund(h.hall, intent.id, 400, reason="return", operator="clerk", key="shop-aftersales:7")

        tasks = [asyncio.create_task(one()) for _ in range(COPIES)]
        await asyncio.sleep(0)
        started.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    outcomes = h.run(scenario())
    assert all(not isinstance(o, BaseException) for o in outcomes), outcomes
    assert {o[0] for o in outcomes} == {refund_id_for("shop-aftersales:7")}
    assert {o[1] for o in outcomes} <= {"succeeded", "pending"}
    rows = refunds_of(h, intent.id)
    assert len(rows) == 1 and rows[0]["state"] == "succeeded" and rows[0]["amount_fen"] == 400
    after = h.in_tenant("alpha", get_intent, intent.id)
    assert (after.state, after.refunded_fen) == ("partially_refunded", 400)  # counted once
    assert plugin.gateway("alpha").trades[intent.id].refunds == {rows[0]["refund_id"]: 400}
    events = h.in_tenant("alpha", lambda: OutboxEvent.select().where(OutboxEvent.kind == "payment.refunded"))
    assert len(events) == 1
    # later calls: the same refund back, nothing more
    again = h.in_tenant("alpha", refund, h.hall, intent.id, 400, reason="again", operator="x", key="shop-aftersales:7")
    assert again == (rows[0]["refund_id"], "succeeded") and len(refunds_of(h, intent.id)) == 1
    with pytest.raises(IdempotencyConflict):  # the key for another amount: refused, nothing refunded
        h.in_tenant("alpha", refund, h.hall, intent.id, 100, reason="x", operator="x", key="shop-aftersales:7")
    other = h.in_tenant("alpha", refund, h.hall, intent.id, 600, reason="rest", operator="x", key="shop-aftersales:8")
    assert other[1] == "succeeded" and h.in_tenant("alpha", get_intent, intent.id).state == "refunded"
    with pytest.raises(PaymentError):  # nothing left: a new key refunds nothing
        h.in_tenant("alpha", refund, h.hall, intent.id, 1, reason="x", operator="x", key="shop-aftersales:9")


def test_a_crash_after_the_reservation_is_finished_by_the_retry_once(pay):
    """The process died after step 1 (the pending row written, the gateway never asked): the retry asks once."""
    h, plugin = pay
    intent = paid_intent(h, plugin, amount=1000)
    key = "shop-aftersales:21"
    h.in_tenant("alpha", reserve, intent.id, 1000, "lost card", "clerk", refund_id=refund_id_for(key))
    assert plugin.gateway("alpha").trades[intent.id].refunds == {}
    plugin.gateway("alpha").down = True  # the first retry meets an outage: still pending, still one row
    first = h.in_tenant("alpha", refund, h.hall, intent.id, 1000, reason="lost card", operator="clerk", key=key)
    assert first == (refund_id_for(key), "pending") and len(refunds_of(h, intent.id)) == 1
    plugin.gateway("alpha").down = False
    for _ in range(2):
        done = h.in_tenant("alpha", refund, h.hall, intent.id, 1000, reason="lost card", operator="clerk", key=key)
        assert done == (refund_id_for(key), "succeeded")
    assert plugin.gateway("alpha").trades[intent.id].refunds == {refund_id_for(key): 1000}
    assert h.in_tenant("alpha", get_intent, intent.id).refunded_fen == 1000


def test_keys_are_per_tenant_and_look_like_refund_ids():
    rid = refund_id_for("shop-aftersales:1")
    assert rid.startswith("rf") and len(rid) == 30 and rid == refund_id_for("shop-aftersales:1")
    assert rid != refund_id_for("shop-aftersales:2")
