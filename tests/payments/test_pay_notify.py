"""The notification endpoint: 1,000 notifications mixing duplicates, out-of-order arrival and forgeries credit each paid intent once."""

from __future__ import annotations

import random

from core.legacy.outbox_tables import OutboxEvent
from core.payments import create_intent, start_checkout
from core.payments.tables import PaymentEvent, PaymentIntent


def open_intents(h, n):
    async def go():
        ids = []
        for i in range(n):
            intent = await create_intent(
                h.hall,
                purpose="card",
                owner="testshop",
                reference=f"r{i}",
                customer_id="C00001",
                amount_fen=100 + i,
                provider="fake",
                idempotency_key=f"k{i}",
            )
            await start_checkout(
                h.hall, intent.id, channel="wap", return_url="http://alpha.test/r", notify_url="http://alpha.test/n"
            )
            ids.append(intent.id)
        return ids

    return h.in_tenant("alpha", go)


def test_a_thousand_notifications_credit_each_paid_intent_exactly_once_and_accept_no_forgery(pay):
    h, plugin = pay
    gateway = plugin.gateway("alpha")
    rnd = random.Random(4)
    ids = open_intents(h, 120)
    paid = set(rnd.sample(ids, 80))
    genuine, forged = [], []
    for intent_id in ids:
        trade = gateway.trades[intent_id]
        if intent_id in paid:
            genuine.append(
                gateway.notification(intent_id, status="pending")
            )  # out of order: may arrive after the success
            gateway.pay(intent_id)
            genuine += [gateway.notification(intent_id) for _ in range(rnd.randint(2, 5))]  # the gateway retries
        amount = trade.amount_fen
        tampered = gateway.notification(intent_id, status="succeeded", amount_fen=amount)
        if rnd.random() < 0.5:
            tampered["total_fen"] = str(amount + 1)  # changed after signing
        else:
            tampered["sign"] = tampered["sign"][:-1] + ("1" if tampered["sign"][-1] == "0" else "0")
        forged += [
            tampered,
            gateway.notification(intent_id, status="succeeded", amount_fen=amount - 1),  # signed, but the wrong amount
            gateway.notification(intent_id, status="succeeded", amount_fen=amount, app_id="someone-else"),
            gateway.notification(intent_id, status="succeeded", amount_fen=amount, key=b"a forger's key"),
        ]
    while len(genuine) + len(forged) < 1000:
        forged.append(
            gateway.notification(f"pi{rnd.getrandbits(100):x}", status="succeeded", amount_fen=100)
        )  # no such intent
    mixed = [(True, f) for f in genuine] + [(False, f) for f in forged]
    rnd.shuffle(mixed)
    assert len(mixed) == 1000

    client = h.client("alpha")
    answers = [(real, client.post("/pay/notify/fake", form, csrf=False)) for real, form in mixed]

    assert all(r.status_code == 200 for _, r in answers)
    assert {r.text for real, r in answers if not real} == {"fail"}  # no forgery accepted
    assert {r.text for real, r in answers if real} == {"success"}
    rows = {r["public_id"]: r for r in h.in_tenant("alpha", lambda: PaymentIntent.select())}
    assert {i for i, r in rows.items() if r["state"] == "succeeded"} == paid
    assert all(rows[i]["state"] == "pending" for i in set(ids) - paid)
    events = h.in_tenant("alpha", lambda: OutboxEvent.select(OutboxEvent.kind, OutboxEvent.payload))
    posted = [e["payload"]["intent_id"] for e in events if e["kind"] == "payment.posted"]
    delivered = [e["payload"]["intent_id"] for e in events if e["kind"] == "shop.delivered"]
    assert sorted(posted) == sorted(delivered) == sorted(paid)  # one credit and one fulfilment per paid intent
    refused = h.in_tenant("alpha", lambda: PaymentEvent.count().where(PaymentEvent.accepted == False))  # noqa: E712
    assert refused == len(forged)  # every rejection is in the ledger, with its reason
    reasons = h.in_tenant(
        "alpha", lambda: PaymentEvent.select(PaymentEvent.reason).where(PaymentEvent.accepted.eq(False))
    )
    assert {r["reason"].split(":")[0] for r in reasons} == {"invalid notification", "amount mismatch", "unknown intent"}


def test_an_unknown_or_switched_off_provider_answers_404(pay):
    h, plugin = pay
    form = plugin.gateway("beta").notification("pi00", status="succeeded", amount_fen=1)
    assert h.client("alpha").post("/pay/notify/alipay", form, csrf=False).status_code == 404
    assert h.client("beta").post("/pay/notify/fake", form, csrf=False).status_code == 404  # beta takes no money
    assert h.client("alpha").post("/pay/notify/fake", {}, csrf=False).text == "fail"  # an empty post is just a forgery


def test_a_fulfilment_that_breaks_rolls_the_settlement_back_and_the_gateway_is_asked_to_retry(hall_factory):
    from core.hookspecs import hookimpl
    from core.payments import get_intent
    from core.payments.ledger import history
    from core.testing import TenantSpec
    from core.testing.payments import FakePaymentPlugin

    class Flaky:
        broken = True

        @hookimpl
        def payment_succeeded(self, hall, tenant, intent):
            if self.broken:
                raise RuntimeError("warehouse offline")

    flaky, plugin = Flaky(), FakePaymentPlugin()
    h = hall_factory(
        [TenantSpec("alpha", payments={"providers": ["fake"]})], extra_plugins={"fakepay": plugin, "flaky": flaky}
    )

    async def go():
        intent = await create_intent(
            h.hall,
            purpose="card",
            owner="flaky",
            reference="r",
            customer_id="C1",
            amount_fen=700,
            provider="fake",
            idempotency_key="k",
        )
        await start_checkout(h.hall, intent.id, channel="pc", return_url="http://a/r", notify_url="http://a/n")
        return intent.id

    intent_id = h.in_tenant("alpha", go)
    plugin.gateway("alpha").pay(intent_id)
    client = h.client("alpha")
    assert client.post("/pay/notify/fake", plugin.gateway("alpha").notification(intent_id), csrf=False).text == "fail"
    assert h.in_tenant("alpha", get_intent, intent_id).state == "pending"
    assert h.in_tenant("alpha", lambda: OutboxEvent.count()) == 0  # nothing of the settlement committed
    assert any("warehouse offline" in e["reason"] for e in h.in_tenant("alpha", history, intent_id))
    flaky.broken = False
    assert (
        client.post("/pay/notify/fake", plugin.gateway("alpha").notification(intent_id), csrf=False).text == "success"
    )
    assert h.in_tenant("alpha", get_intent, intent_id).state == "succeeded"
