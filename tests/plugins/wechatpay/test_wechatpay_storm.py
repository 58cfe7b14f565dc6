"""1,000 WeChat Pay notifications - duplicates, out of order, tampered, wrong amount, wrong merchant or AppID, replayed
old timestamps, another APIv3 key, a forger's key, unknown trades - credit each paid intent exactly once, accept no forgery.

Runs on SQLite, or PostgreSQL with HALL_TEST_DB=postgres (the hall_factory fixture).
"""

from __future__ import annotations

import json
import random
import time

import wechat_shop
from wechatpay_support import paid_notification, tenant_settings, write_secrets
from core.legacy.outbox_tables import OutboxEvent
from core.payments import create_intent
from core.payments.tables import PaymentEvent, PaymentIntent
from core.testing import TenantSpec
from plugins.wechatpay.crypto import load_private, new_key_pair


def test_a_thousand_notifications_credit_each_paid_intent_exactly_once_and_accept_no_forgery(hall_factory):
    h = hall_factory(
        [TenantSpec("alpha", plugins=["wxshop"], payments={"providers": ["wechatpay"]}, plugin_settings=tenant_settings("http://127.0.0.1:9"))],
        extra_plugins={"wxshop": wechat_shop},
    )  # fmt: skip
    write_secrets(h.hall.settings.config_file, "alpha")
    rnd = random.Random(20)

    async def open_intents():
        return [
            (await create_intent(h.hall, purpose="card", owner="wxshop", reference=f"r{i}", customer_id="C1",
                                 amount_fen=100 + i, provider="wechatpay", idempotency_key=f"k{i}")).id
            for i in range(90)
        ]  # fmt: skip

    ids = h.in_tenant("alpha", open_intents)
    amount = {intent_id: 100 + i for i, intent_id in enumerate(ids)}
    paid = set(rnd.sample(ids, 60))
    forger = load_private(new_key_pair()[0])
    genuine, forged = [], []
    for intent_id in ids:
        fen = amount[intent_id]
        if intent_id in paid:
            genuine += [paid_notification(intent_id, fen) for _ in range(rnd.randint(2, 6))]  # WeChat Pay retries
        body, headers = paid_notification(intent_id, fen)
        tampered = json.loads(body)
        tampered["resource"]["ciphertext"] = tampered["resource"]["ciphertext"][:-4] + "AAA="
        forged += [
            (json.dumps(tampered).encode(), headers),  # changed after signing
            (body, headers | {"Wechatpay-Signature": headers["Wechatpay-Signature"][:-6] + "AAAAA="}),
            paid_notification(intent_id, fen - 1),  # signed, the wrong amount
            paid_notification(intent_id, fen, mch_id="1900000009"),
            paid_notification(intent_id, fen, app_id="wx0000000000000009"),
            paid_notification(intent_id, fen, timestamp=int(time.time()) - 3600),  # a replay of an old one
            paid_notification(intent_id, fen, apiv3="f" * 32),
            paid_notification(intent_id, fen, key=forger),
        ]
    while len(genuine) + len(forged) < 1000:
        forged.append(paid_notification(f"pi{rnd.getrandbits(100):x}", 100))  # no such intent
    mixed = [(True, n) for n in genuine] + [(False, n) for n in forged]
    rnd.shuffle(mixed)  # out of order
    assert len(mixed) == 1000
    client = h.client("alpha")
    answers = [
        (real, client.http.post(client.url("/pay/notify/wechatpay"), content=body, headers=headers))
        for real, (body, headers) in mixed
    ]
    assert {r.status_code for real, r in answers if real} == {204}
    assert {r.status_code for real, r in answers if not real} == {500}  # FAIL: no forgery accepted
    rows = {r["public_id"]: r for r in h.in_tenant("alpha", lambda: PaymentIntent.select())}
    assert {i for i, r in rows.items() if r["state"] == "succeeded"} == paid
    assert all(rows[i]["state"] == "created" for i in set(ids) - paid)
    events = h.in_tenant("alpha", lambda: OutboxEvent.select(OutboxEvent.kind, OutboxEvent.payload))
    posted = [e["payload"]["intent_id"] for e in events if e["kind"] == "payment.posted"]
    delivered = [e["payload"]["intent_id"] for e in events if e["kind"] == "wxshop.delivered"]
    assert sorted(posted) == sorted(delivered) == sorted(paid)  # one credit and one fulfilment per paid intent
    refused = h.in_tenant("alpha", lambda: PaymentEvent.count().where(PaymentEvent.accepted == False))  # noqa: E712
    assert refused == sum(1 for real, _ in mixed if not real)  # every refusal is in the ledger with its reason
