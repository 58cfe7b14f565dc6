"""End to end through the payment core: intent → checkout → the sandbox's pay page → notification → succeeded, once.

The hall is a test hall (hall_factory) whose tenant alpha takes Alipay payments
through a sandbox running on a free port, with the real SDK path both ways. The
sandbox cannot reach the test client's host, so the test hands its signed
notification to the hall's notify endpoint itself; the return page asks the
sandbox over real HTTP.
"""

from __future__ import annotations

import datetime as dt
import re

import json
import urllib.parse

import pytest

import alipay_shop
from alipay_support import APP_ID, alipay_tenant_settings, customer_decides, start_sandbox, write_secrets
from core.legacy.outbox_tables import OutboxEvent
from core.payments.tables import PaymentEvent, PaymentIntent
from core.testing import TenantSpec, make_customer, register_customer


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("sandbox"))
    yield running
    running.stop()


@pytest.fixture
def shop(hall_factory, sandbox):
    """(harness, logged-in client of alpha)."""
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["alishop"],
                payments={"providers": ["alipay"]},
                plugin_settings=alipay_tenant_settings(sandbox.gateway),
            )
        ],
        extra_plugins={"alishop": alipay_shop},
    )
    write_secrets(harness.hall.settings.config_file, "alpha")
    customer = make_customer(1)
    register_customer(harness, "alpha", customer)
    client = harness.client("alpha")
    client.login_customer(customer.numbers[0].number)
    return harness, client


def buy(client, item: str = "card50") -> tuple[str, str]:
    """(intent id, the gateway URL the hall sent the browser to)."""
    response = client.post(f"/alishop/buy/{item}")
    assert response.status_code == 303, response.text[:500]
    url = response.headers["location"]
    biz = json.loads(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["biz_content"])
    return biz["out_trade_no"], url


def intent_row(harness, intent_id):
    return harness.in_tenant(
        "alpha", lambda: PaymentIntent.select().where(PaymentIntent.public_id == intent_id).first()
    )


def deliveries(harness):
    return harness.in_tenant("alpha", lambda: OutboxEvent.select().where(OutboxEvent.kind == "alishop.delivered"))


def test_a_payment_through_the_sandbox_succeeds_once(shop, sandbox):
    harness, client = shop
    intent_id, url = buy(client)
    assert url.startswith(sandbox.gateway + "?") and intent_row(harness, intent_id)["state"] == "pending"
    status, location = customer_decides(sandbox, url, "pay")
    assert status == 303 and re.match(
        rf"http://alpha\.test/pay/return/{intent_id}/[0-9a-f]+\.[\w-]{{24}}\?", location
    ), location
    [note] = sandbox.store.notifications(APP_ID, intent_id)
    answer = client.post("/pay/notify/alipay", note["form"], csrf=False)
    assert (answer.status_code, answer.text) == (200, "success")
    row = intent_row(harness, intent_id)
    assert (
        row["state"] == "succeeded"
        and row["amount_fen"] == 5000
        and row["provider_ref"] == sandbox.store.trade(APP_ID, intent_id)["trade_no"]
    )
    assert (
        client.post("/pay/notify/alipay", note["form"], csrf=False).text == "success"
    )  # Alipay's retry: answered, not credited again
    assert [
        e["payload"]["intent_id"] if isinstance(e["payload"], dict) else json.loads(e["payload"])["intent_id"]
        for e in deliveries(harness)
    ] == [intent_id]


@pytest.mark.parametrize(
    "field, value",
    [("total_amount", "0.01"), ("sign", "AAAA"), ("app_id", "2021000000000009"), ("seller_id", "2088000000000009")],
)
def test_a_tampered_notification_is_refused_and_changes_nothing(shop, sandbox, field, value):
    harness, client = shop
    intent_id, url = buy(client)
    customer_decides(sandbox, url, "pay")
    [note] = sandbox.store.notifications(APP_ID, intent_id)
    answer = client.post("/pay/notify/alipay", note["form"] | {field: value}, csrf=False)
    assert (answer.status_code, answer.text) == (200, "fail")
    assert intent_row(harness, intent_id)["state"] == "pending" and deliveries(harness) == []
    refused = harness.in_tenant("alpha", lambda: PaymentEvent.select().where(PaymentEvent.intent_id == intent_id))
    assert any("invalid notification" in (e.get("reason") or "") for e in refused)


def test_the_return_page_asks_the_gateway_and_never_trusts_its_query_string(shop, sandbox):
    harness, client = shop
    intent_id, url = buy(client, "card100")
    forged = f"/pay/return/{intent_id}?trade_status=TRADE_SUCCESS&total_amount=100.00&out_trade_no={intent_id}"
    client.get(forged)
    assert intent_row(harness, intent_id)["state"] == "pending"  # the gateway says the customer has not paid
    status, location = customer_decides(sandbox, url, "pay")  # paid, but the notification never reaches the hall
    back = urllib.parse.urlsplit(location).path + "?" + urllib.parse.urlsplit(location).query
    assert client.get(back).status_code == 200
    assert (
        intent_row(harness, intent_id)["state"] == "pending"
    )  # the gateway was asked a moment ago: reloads do not flood it
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    harness.in_tenant(
        "alpha",
        lambda: PaymentEvent.update({PaymentEvent.created_at: long_ago}).where(PaymentEvent.intent_id == intent_id),
    )
    page = client.get(back)
    assert page.status_code == 200
    assert intent_row(harness, intent_id)["state"] == "succeeded" and len(deliveries(harness)) == 1


def test_a_customer_who_cancels_at_the_gateway_is_not_charged(shop, sandbox):
    harness, client = shop
    intent_id, url = buy(client)
    customer_decides(sandbox, url, "cancel")
    [note] = sandbox.store.notifications(APP_ID, intent_id)
    assert note["form"]["trade_status"] == "TRADE_CLOSED"
    assert client.post("/pay/notify/alipay", note["form"], csrf=False).text == "success"
    assert intent_row(harness, intent_id)["state"] == "canceled" and deliveries(harness) == []
