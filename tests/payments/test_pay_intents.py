"""Intents: creation is idempotent by key, the state machine moves only forward, amounts are integer fen."""

from __future__ import annotations

import pytest

from core.legacy.outbox_tables import OutboxEvent
from core.payments import IdempotencyConflict, PaymentError, cancel, create_intent, get_intent, start_checkout
from core.payments.ledger import history
from core.payments.providers import GatewayResult
from core.payments.settle import Outcome, posted_event_id, settle


def new(harness, key="k1", amount=1234, **kw):
    args = dict(
        purpose="card",
        owner="testshop",
        reference="card50",
        customer_id="C00001",
        amount_fen=amount,
        provider="fake",
        idempotency_key=key,
    )
    args.update(kw)
    return harness.in_tenant("alpha", create_intent, harness.hall, **args)


def checkout(harness, intent_id):
    return harness.in_tenant(
        "alpha",
        start_checkout,
        harness.hall,
        intent_id,
        channel="pc",
        return_url="http://alpha.test/pay/return/" + intent_id,
        notify_url="http://alpha.test/pay/notify/fake",
    )


def paid(intent_id, amount, ref="T1"):
    return GatewayResult(intent_id, ref, "succeeded", amount, {"trade_no": ref})


def test_the_same_key_returns_the_same_intent_and_another_amount_is_a_clear_error(pay):
    h, _ = pay
    first = new(h)
    again = new(h)
    assert again.id == first.id and first.state == "created" and first.amount_fen == 1234
    assert len(first.id) <= 32 and first.id != new(h, key="k2").id
    with pytest.raises(IdempotencyConflict, match="amount_fen"):
        new(h, amount=1235)


@pytest.mark.parametrize("amount", [12.5, "100", 0, -1, True])
def test_money_is_a_positive_integer_of_fen(pay, amount):
    h, _ = pay
    with pytest.raises(PaymentError):
        new(h, amount=amount)


def test_a_provider_that_is_not_switched_on_or_an_unknown_owner_is_refused(pay):
    h, _ = pay
    with pytest.raises(PaymentError, match="not switched on"):
        new(h, provider="alipay")
    with pytest.raises(PaymentError, match="not an installed plugin"):
        new(h, owner="nobody")


def test_created_pending_succeeded_then_nothing_moves_it_back(pay):
    h, plugin = pay
    intent = new(h)
    redirect = checkout(h, intent.id)
    assert redirect.redirect_url.endswith(intent.id)
    request = plugin.gateway("alpha").checkouts[0]
    assert (request.amount_fen, request.currency, request.channel, request.expires_at is not None) == (
        1234,
        "CNY",
        "pc",
        True,
    )
    assert h.in_tenant("alpha", get_intent, intent.id).state == "pending"
    assert h.in_tenant("alpha", settle, h.hall, "fake", paid(intent.id, 1234)) is Outcome.CREDITED
    for late in ("failed", "canceled", "pending"):
        result = GatewayResult(intent.id, "T1", late, 1234, {})
        assert h.in_tenant("alpha", settle, h.hall, "fake", result) is Outcome.UNCHANGED
    assert h.in_tenant("alpha", settle, h.hall, "fake", paid(intent.id, 1234)) is Outcome.DUPLICATE
    done = h.in_tenant("alpha", get_intent, intent.id)
    assert done.state == "succeeded" and done.provider_ref == "T1" and done.succeeded_at and done.fulfilled_at
    with pytest.raises(PaymentError, match="cannot be paid again"):
        checkout(h, intent.id)
    events = h.in_tenant("alpha", lambda: OutboxEvent.select().order_by(OutboxEvent.id))
    assert [e["kind"] for e in events] == ["shop.delivered", "payment.posted"]
    posted = events[1]
    assert posted["event_id"] == posted_event_id("alpha", intent.id)
    assert posted["payload"]["amount_fen"] == 1234 and posted["payload"]["reference"] == "card50"
    kinds = [(e["kind"], e["from_state"], e["to_state"]) for e in h.in_tenant("alpha", history, intent.id)]
    assert kinds[:3] == [
        ("created", "", "created"),
        ("checkout", "created", "pending"),
        ("notification", "pending", "succeeded"),
    ]


def test_failed_and_canceled(pay):
    h, plugin = pay
    failing = new(h, key="f")
    checkout(h, failing.id)
    assert (
        h.in_tenant("alpha", settle, h.hall, "fake", GatewayResult(failing.id, "", "failed", None, {}))
        is Outcome.UPDATED
    )
    assert h.in_tenant("alpha", get_intent, failing.id).state == "failed"
    dropped = new(h, key="c")
    checkout(h, dropped.id)
    assert h.in_tenant("alpha", cancel, h.hall, dropped.id) is True
    assert (
        plugin.gateway("alpha").trades[dropped.id].status == "canceled"
    )  # closed at the gateway: cannot be paid any more
    assert h.in_tenant("alpha", get_intent, dropped.id).state == "canceled"
    assert h.in_tenant("alpha", cancel, h.hall, dropped.id) is False


def test_a_wrong_amount_or_another_providers_result_is_refused_and_logged(pay):
    h, _ = pay
    intent = new(h)
    assert h.in_tenant("alpha", settle, h.hall, "fake", paid(intent.id, 1)) is Outcome.REFUSED
    assert h.in_tenant("alpha", settle, h.hall, "alipay", paid(intent.id, 1234)) is Outcome.REFUSED
    assert h.in_tenant("alpha", settle, h.hall, "fake", paid("pi-nonexistent", 1234)) is Outcome.REFUSED
    assert h.in_tenant("alpha", get_intent, intent.id).state == "created"
    refused = [e for e in h.in_tenant("alpha", history, intent.id) if not e["accepted"]]
    assert ["amount mismatch" in refused[0]["reason"], "provider" in refused[1]["reason"]] == [True, True]
    assert h.in_tenant("alpha", lambda: OutboxEvent.count()) == 0


def test_intents_are_tenant_scoped(pay):
    h, _ = pay
    intent = new(h)
    assert h.in_tenant("beta", get_intent, intent.id) is None
