"""Exactly once with the real Alipay provider (plugins/alipay/testkit.py): the same signed notification many times, in
a row and all at once, credits a top-up once - one paid row, one ``payment.posted`` event - and a forged or wrong-amount
notification credits nothing."""

from __future__ import annotations

import asyncio
import json
import urllib.parse

import pytest
from topup_support import find, start

from core.api.legacy import OutboxEvent
from core.api.payments import GatewayResult, get_intent, settle
from core.api.testing import TenantSpec, make_customer, sync
from plugins.alipay.testkit import new_keys, paid_notification, secrets_toml, tenant_settings
from plugins.topup.tables import TopUp

GATEWAY = "http://127.0.0.1:9/gateway.do"  # never asked: paying and notifying need no call to the gateway


@pytest.fixture
def alipay_hall(hall_factory):
    keys = new_keys()
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["topup"],
                payments={"providers": ["alipay"]},
                plugin_settings={**tenant_settings(GATEWAY), "topup": {"address_hourly_attempts": 100}},
            )
        ],
    )
    (harness.hall.settings.config_file.parent / ".secrets.toml").write_text(secrets_toml("alpha", keys))
    harness.connectors["alpha"].customers.append(make_customer(500, name="赵六", numbers=("13955550000",)))
    sync(harness, "alpha")
    return harness, keys


def alipay_intent(response) -> str:
    """The payment the hall sent the browser to pay at Alipay (its out_trade_no in the signed gateway URL)."""
    assert response.status_code == 303, response.text[:500]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response.headers["location"]).query))
    return json.loads(query["biz_content"])["out_trade_no"]


def counts(harness, intent_id):
    async def go():
        paid = await TopUp.select(TopUp.state, TopUp.paid_at).where(TopUp.intent_id == intent_id).first()
        events = await OutboxEvent.count().where(OutboxEvent.kind == "payment.posted")
        return paid["state"], events

    return harness.in_tenant("alpha", go)


def test_duplicate_notifications_credit_once(alipay_hall):
    harness, keys = alipay_hall
    client = harness.client("alpha")
    assert find(client, "13955550000").status_code == 200
    response = start(client, "13955550000", amount="10000")
    assert response.headers["location"].startswith(GATEWAY)  # to Alipay's (here: a dead) gateway
    intent_id = alipay_intent(response)
    assert counts(harness, intent_id) == ("started", 0)
    notification = paid_notification(keys, intent_id, 10000)
    answers = [client.post("/pay/notify/alipay", notification, csrf=False).text for _ in range(4)]
    finished = paid_notification(keys, intent_id, 10000, status="TRADE_FINISHED")
    answers.append(client.post("/pay/notify/alipay", finished, csrf=False).text)
    assert answers == ["success"] * 5
    assert counts(harness, intent_id) == ("paid", 1)
    intent = harness.in_tenant("alpha", get_intent, intent_id)
    assert intent.state == "succeeded" and intent.provider_ref == notification["trade_no"]


def test_concurrent_settlements_credit_once(alipay_hall):
    harness, _ = alipay_hall
    client = harness.client("alpha")
    intent_id = alipay_intent(start(client, "13955550000", amount="3000"))
    result = GatewayResult(intent_id, "2026112522001000000000001", "succeeded", 3000, {"trade_status": "TRADE_SUCCESS"})

    async def all_at_once():
        return await asyncio.gather(*[settle(harness.hall, "alipay", result) for _ in range(8)])

    outcomes = harness.in_tenant("alpha", all_at_once)
    assert sorted(o.value for o in outcomes) == ["credited"] + ["duplicate"] * 7
    assert counts(harness, intent_id) == ("paid", 1)


def test_forged_and_wrong_amount_notifications_credit_nothing(alipay_hall):
    harness, keys = alipay_hall
    client = harness.client("alpha")
    intent_id = alipay_intent(start(client, "13955550000", amount="5000"))
    wrong_amount = paid_notification(keys, intent_id, 1)
    assert client.post("/pay/notify/alipay", wrong_amount, csrf=False).text != "success"
    forged = paid_notification(new_keys(), intent_id, 5000)  # signed with a key that is not Alipay's
    assert client.post("/pay/notify/alipay", forged, csrf=False).text != "success"
    assert counts(harness, intent_id) == ("started", 0)
