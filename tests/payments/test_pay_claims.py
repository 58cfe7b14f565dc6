"""Payment claims: one holder per paid item, taken with the intent, let go when it can no longer be paid, and late duplicates refunded."""

from __future__ import annotations

import asyncio

import pytest

from core.legacy.outbox_tables import OutboxEvent
from core.payments import PaymentError, cancel, create_intent, get_intent, refund, start_checkout
from core.payments.claims import ClaimConflict, holders
from core.payments.providers import GatewayResult
from core.payments.settle import Outcome, settle
from core.payments.tables import PaymentEvent, Refund
from core.tenancy import tenant_scope

RACERS = 12


def intent_for(h, key: str, claims: list[str], amount: int = 500):
    return h.in_tenant(
        "alpha",
        create_intent,
        h.hall,
        purpose="card",
        owner="testshop",
        reference=key,
        customer_id="C1",
        amount_fen=amount,
        provider="fake",
        idempotency_key=key,
        claims=claims,
    )


def checkout(h, intent_id: str):
    return h.in_tenant(
        "alpha", start_checkout, h.hall, intent_id, channel="pc", return_url="http://a/r", notify_url="http://a/n"
    )


def paid_notice(h, plugin, intent_id: str, amount: int = 500):
    plugin.gateway("alpha").pay(intent_id)
    return h.in_tenant(
        "alpha", settle, h.hall, "fake", GatewayResult(intent_id, "T-" + intent_id, "succeeded", amount, {})
    )


def held(h, *items):
    return h.in_tenant("alpha", holders, "alpha", list(items))


def test_an_item_has_one_holder_until_that_payment_is_canceled(pay):
    h, _ = pay
    first = intent_for(h, "k1", ["bill:B1@0", "bill:B2@0"])
    with pytest.raises(ClaimConflict) as conflict:
        intent_for(h, "k2", ["bill:B2@0"])
    assert conflict.value.holders == [first.id]
    assert h.in_tenant("alpha", get_intent, "k2") is None  # the conflicting intent was rolled back with its claims
    assert held(h, "bill:B1@0", "bill:B2@0") == {"bill:B1@0": first.id, "bill:B2@0": first.id}
    assert (
        intent_for(h, "k1", ["bill:B1@0", "bill:B2@0"]).id == first.id
    )  # the same request again: the same intent, no conflict
    assert h.in_tenant("alpha", get_intent, first.id).claims == ("bill:B1@0", "bill:B2@0")
    assert h.in_tenant("alpha", cancel, h.hall, first.id)
    assert held(h, "bill:B1@0", "bill:B2@0") == {}
    second = intent_for(h, "k2", ["bill:B2@0"])
    assert held(h, "bill:B2@0") == {"bill:B2@0": second.id}
    other_tenant_sees_nothing = h.in_tenant("beta", holders, "beta", ["bill:B2@0"])
    assert other_tenant_sees_nothing == {}


def test_bad_claims_are_refused(pay):
    h, _ = pay
    for bad in ("bill:1", [""], ["x" * 161], [1], [f"c{n}" for n in range(65)]):
        with pytest.raises(PaymentError):
            intent_for(h, "bad", bad)


def test_concurrent_payments_of_overlapping_items_leave_exactly_one_holder(pay):
    """RACERS intents over the same bills at the same moment (separate connections on PostgreSQL): one wins, the rest conflict."""
    h, _ = pay
    tenant = h.tenant("alpha")

    async def scenario():
        start = asyncio.Event()

        async def one(n):
            await start.wait()
            claims = ["bill:B1@0", "bill:B2@0"] if n % 2 else ["bill:B2@0", "bill:B3@0"]
            with tenant_scope(tenant):
                try:
                    return await create_intent(
                        h.hall,
                        purpose="card",
                        owner="testshop",
                        reference=f"r{n}",
                        customer_id="C1",
                        amount_fen=500,
                        provider="fake",
                        idempotency_key=f"race{n}",
                        claims=claims,
                    )
                except ClaimConflict as conflict:
                    return conflict

        tasks = [asyncio.create_task(one(n)) for n in range(RACERS)]
        await asyncio.sleep(0)
        start.set()
        return await asyncio.gather(*tasks)

    results = h.run(scenario())
    winners = [r for r in results if not isinstance(r, ClaimConflict)]
    assert len(winners) == 1, results  # every racer wants B2: only one may hold it
    assert all(r.holders == [winners[0].id] for r in results if isinstance(r, ClaimConflict))
    assert set(held(h, "bill:B1@0", "bill:B2@0", "bill:B3@0").values()) == {winners[0].id}


def test_a_checkout_is_never_handed_out_for_an_intent_canceled_meanwhile(pay):
    h, plugin = pay
    intent = intent_for(h, "k1", ["bill:B1@0"])
    assert h.in_tenant("alpha", cancel, h.hall, intent.id)
    with pytest.raises(PaymentError, match="canceled"):
        checkout(h, intent.id)
    assert plugin.gateway("alpha").checkouts == []  # the gateway was never asked


def test_cancel_closes_at_the_gateway_and_refuses_when_the_trade_was_paid(pay):
    h, plugin = pay
    intent = intent_for(h, "k1", ["bill:B1@0"])
    checkout(h, intent.id)
    plugin.gateway("alpha").pay(intent.id)  # paid at the gateway; the notification is still on its way
    with pytest.raises(ValueError, match="TRADE_STATUS_ERROR"):
        h.in_tenant("alpha", cancel, h.hall, intent.id)
    assert h.in_tenant("alpha", get_intent, intent.id).state == "pending"
    assert held(h, "bill:B1@0") == {"bill:B1@0": intent.id}  # still held: it is being paid


def test_a_late_payment_whose_items_were_paid_meanwhile_is_refunded_not_fulfilled(pay):
    """Canceled intent A's checkout page was open; B paid the same bill; then the customer pays A too: A is refunded."""
    h, plugin = pay
    a = intent_for(h, "kA", ["bill:B1@0"])
    checkout(h, a.id)
    assert h.in_tenant("alpha", cancel, h.hall, a.id)
    b = intent_for(h, "kB", ["bill:B1@0"])
    checkout(h, b.id)
    assert paid_notice(h, plugin, b.id) is Outcome.CREDITED
    assert paid_notice(h, plugin, a.id) is Outcome.REFUNDING  # the gateway took A's money anyway
    late = h.in_tenant("alpha", get_intent, a.id)
    assert (late.state, late.refunded_fen, late.fulfilled_at) == ("refunded", 500, None)
    assert list(plugin.gateway("alpha").trades[a.id].refunds.values()) == [500]
    events = h.in_tenant("alpha", lambda: OutboxEvent.select(OutboxEvent.kind, OutboxEvent.payload))
    delivered = sorted(e["payload"]["intent_id"] for e in events if e["kind"] in ("payment.posted", "shop.delivered"))
    assert delivered == [b.id, b.id]  # A was never fulfilled nor posted ...
    assert not [
        e for e in events if e["kind"] == "payment.refunded"
    ]  # ... so its refund tells the legacy system nothing
    refunds = h.in_tenant("alpha", lambda: Refund.select(Refund.intent_id, Refund.state, Refund.undo, Refund.operator))
    assert refunds == [{"intent_id": a.id, "state": "succeeded", "undo": False, "operator": "system"}]
    ledger = h.in_tenant(
        "alpha", lambda: PaymentEvent.select(PaymentEvent.reason).where(PaymentEvent.intent_id == a.id)
    )
    assert any(b.id in r["reason"] and "refunded" in r["reason"] for r in ledger)
    assert held(h, "bill:B1@0") == {"bill:B1@0": b.id}
    assert paid_notice(h, plugin, a.id) is Outcome.DUPLICATE  # the gateway's retry changes nothing


def test_a_late_payment_of_items_nobody_else_paid_is_credited_and_holds_them_again(pay):
    h, plugin = pay
    a = intent_for(h, "kA", ["bill:B1@0"])
    checkout(h, a.id)
    assert h.in_tenant("alpha", cancel, h.hall, a.id)
    assert held(h, "bill:B1@0") == {}
    assert paid_notice(h, plugin, a.id) is Outcome.CREDITED
    assert held(h, "bill:B1@0") == {"bill:B1@0": a.id}
    with pytest.raises(ClaimConflict):
        intent_for(h, "kB", ["bill:B1@0"])


def test_a_full_refund_lets_the_items_be_paid_again_a_partial_one_does_not(pay):
    h, plugin = pay
    a = intent_for(h, "kA", ["bill:B1@0"], amount=1000)
    checkout(h, a.id)
    assert paid_notice(h, plugin, a.id, 1000) is Outcome.CREDITED
    assert h.in_tenant("alpha", refund, h.hall, a.id, 400, reason="part", operator="clerk")[1] == "succeeded"
    assert held(h, "bill:B1@0") == {"bill:B1@0": a.id}
    assert h.in_tenant("alpha", refund, h.hall, a.id, 600, reason="rest", operator="clerk")[1] == "succeeded"
    assert held(h, "bill:B1@0") == {}
    assert intent_for(h, "kB", ["bill:B1@0"]).claims == ("bill:B1@0",)


def test_a_gateway_failure_lets_go_of_the_items(pay):
    h, plugin = pay
    a = intent_for(h, "kA", ["bill:B1@0"])
    checkout(h, a.id)
    outcome = h.in_tenant("alpha", settle, h.hall, "fake", GatewayResult(a.id, "T", "failed", 500, {}))
    assert outcome is Outcome.UPDATED and held(h, "bill:B1@0") == {}
