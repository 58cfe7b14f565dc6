"""End to end through the payment core with the sandbox: choose WeChat Pay, scan, confirm, notification, succeeded once; H5; refunds.

The hall is a test hall whose tenant alpha offers Alipay's fake stand-in and WeChat
Pay (the sandbox on a free port). The sandbox cannot reach the test client's host,
so the test hands the sandbox's queued notification (re-signed as a delivery would
be) to the hall's notify endpoint; query, close and refund go to the sandbox over HTTP.
"""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest

import wechat_shop
from wechatpay_support import MCH_ID, customer_decides, paid_notification, start_sandbox, tenant_settings, write_secrets
from core.legacy.outbox_tables import OutboxEvent
from core.payments.tables import PaymentEvent, PaymentIntent
from core.payments import PaymentError, refund
from core.testing import TenantSpec, make_customer, register_customer
from core.testing.payments import FakePaymentPlugin


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("wxsandbox"))
    yield running
    running.stop()


@pytest.fixture
def shop(hall_factory, sandbox):
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["wxshop"],
                payments={"providers": ["fake", "wechatpay"]},
                plugin_settings=tenant_settings(sandbox.url),
            )
        ],
        extra_plugins={"wxshop": wechat_shop, "fakepay": FakePaymentPlugin()},
    )
    write_secrets(harness.hall.settings.config_file, "alpha")
    customer = make_customer(1)
    register_customer(harness, "alpha", customer)
    client = harness.client("alpha")
    client.login_customer(customer.numbers[0].number)
    return harness, client


def row(harness, intent_id):
    return harness.in_tenant(
        "alpha", lambda: PaymentIntent.select().where(PaymentIntent.public_id == intent_id).first()
    )


def deliveries(harness):
    return harness.in_tenant("alpha", lambda: OutboxEvent.select().where(OutboxEvent.kind == "wxshop.delivered"))


def notify(client, body: bytes, headers: dict):
    return client.http.post(client.url("/pay/notify/wechatpay"), content=body, headers=headers)


def choose_wechatpay(client, item="card50", agent=None) -> tuple[str, object]:
    """Buy, get the choice page, choose WeChat Pay: (intent id, the answer to the choice)."""
    headers = {"user-agent": agent} if agent else {}
    page = client.post(f"/wxshop/buy/{item}", headers=headers)
    assert page.status_code == 200 and 'id="pay-with-wechatpay"' in page.text and 'id="pay-with-fake"' in page.text
    action = re.search(r'action="([^"]*/pay/choose/[^"]+)"', page.text).group(1)
    intent_id = action.split("/")[-2]
    answer = client.post(urllib.parse.urlsplit(action).path, {"provider": "wechatpay"}, headers=headers)
    return intent_id, answer


def deliver_queued(sandbox, client, intent_id):
    [note] = [n for n in sandbox.store.notifications(MCH_ID, intent_id) if n["event"]["event_type"].startswith("TRANS")]
    return notify(client, *sandbox.notifier.delivery(note))


def test_a_customer_chooses_wechatpay_scans_confirms_and_is_credited_once(shop, sandbox):
    harness, client = shop
    intent_id, answer = choose_wechatpay(client)
    assert answer.status_code == 303 and "/pay/scan/" in answer.headers["location"]
    assert row(harness, intent_id)["provider"] == "wechatpay" and row(harness, intent_id)["state"] == "pending"
    scan = client.get(urllib.parse.urlsplit(answer.headers["location"]).path)
    assert scan.status_code == 200 and 'id="pay-qr"' in scan.text and "data:image/png;base64," in scan.text
    code_url = re.search(r'href="([^"]+)" id="pay-open-link"', scan.text).group(1)
    assert code_url.startswith(sandbox.url + "/sandbox/checkout/")
    assert customer_decides(sandbox, code_url, "pay")[0] == 200
    answer = deliver_queued(sandbox, client, intent_id)
    assert answer.status_code == 204
    got = row(harness, intent_id)
    assert got["state"] == "succeeded" and got["amount_fen"] == 5000 and got["provider_ref"].startswith("42000")
    assert (
        deliver_queued(sandbox, client, intent_id).status_code == 204
    )  # WeChat Pay's retry: answered, not credited again
    assert len(deliveries(harness)) == 1


def test_the_scan_page_goes_on_to_the_return_page_once_paid_even_if_the_notification_is_lost(shop, sandbox):
    harness, client = shop
    intent_id, answer = choose_wechatpay(client, "card100")
    scan_path = urllib.parse.urlsplit(answer.headers["location"]).path
    page = client.get(scan_path)
    code_url = re.search(r'href="([^"]+)" id="pay-open-link"', page.text).group(1)
    customer_decides(sandbox, code_url, "pay")
    harness.in_tenant(  # the last query was long ago: the page asks the gateway again
        "alpha",
        lambda: PaymentEvent.update({PaymentEvent.kind: "query-old"}).where(PaymentEvent.kind == "query"),
    )
    moved = client.get(scan_path, follow_redirects=False)
    assert moved.status_code == 303 and "/pay/return/" in moved.headers["location"]
    assert row(harness, intent_id)["state"] == "succeeded" and len(deliveries(harness)) == 1


@pytest.mark.parametrize("forgery", ["amount", "merchant", "appid", "old", "apiv3", "signature"])
def test_a_forged_notification_is_refused_and_changes_nothing(shop, sandbox, forgery):
    harness, client = shop
    intent_id, _ = choose_wechatpay(client)
    from plugins.wechatpay.crypto import load_private, new_key_pair
    import time

    kwargs = {
        "amount": {"amount_fen": 1},
        "merchant": {"mch_id": "1900000009"},
        "appid": {"app_id": "wx0000000000000009"},
        "old": {"timestamp": int(time.time()) - 3600},
        "apiv3": {"apiv3": "f" * 32},
        "signature": {"key": load_private(new_key_pair()[0])},
    }[forgery]
    answer = notify(client, *paid_notification(intent_id, kwargs.pop("amount_fen", 5000), **kwargs))
    assert answer.status_code == 500 and json.loads(answer.text)["code"] == "FAIL"
    assert row(harness, intent_id)["state"] == "pending" and deliveries(harness) == []
    refused = harness.in_tenant("alpha", lambda: PaymentEvent.select().where(PaymentEvent.accepted == False))  # noqa: E712
    assert refused


def test_a_phone_gets_h5_and_comes_back_to_the_return_page(shop, sandbox):
    harness, client = shop
    intent_id, answer = choose_wechatpay(client, agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile")
    location = answer.headers["location"]
    assert (
        answer.status_code == 303
        and location.startswith(sandbox.url + "/sandbox/checkout/")
        and "redirect_url=" in location
    )
    status, back = customer_decides(sandbox, location, "pay")
    assert status == 303 and re.match(rf"http://alpha\.test/pay/return/{intent_id}/", back), back
    deliver_queued(sandbox, client, intent_id)
    assert row(harness, intent_id)["state"] == "succeeded"


def test_refunds_part_then_the_rest_and_the_refund_notification_is_verified(shop, sandbox):
    harness, client = shop
    intent_id, answer = choose_wechatpay(client, "card100")
    code_url = re.search(r'href="([^"]+)" id="pay-open-link"', client.get(urllib.parse.urlsplit(answer.headers["location"]).path).text).group(1)  # fmt: skip
    customer_decides(sandbox, code_url, "pay")
    deliver_queued(sandbox, client, intent_id)
    first = harness.in_tenant("alpha", refund, harness.hall, intent_id, 3000, reason="partial", operator="t")
    assert first[1] == "succeeded" and row(harness, intent_id)["state"] == "partially_refunded"
    with pytest.raises(PaymentError):  # more than is left: refused before the gateway is asked
        harness.in_tenant("alpha", refund, harness.hall, intent_id, 8000, reason="too much", operator="t")
    rest = harness.in_tenant("alpha", refund, harness.hall, intent_id, 7000, reason="rest", operator="t")
    assert rest[1] == "succeeded" and row(harness, intent_id)["state"] == "refunded"
    notes = [n for n in sandbox.store.notifications(MCH_ID, intent_id) if n["event"]["event_type"] == "REFUND.SUCCESS"]
    assert len(notes) == 2
    for note in notes:
        assert notify(client, *sandbox.notifier.delivery(note)).status_code == 204
    assert row(harness, intent_id)["state"] == "refunded"  # recorded once, whatever the notification says


def test_a_customer_who_cancels_is_not_charged_and_the_query_says_closed(shop, sandbox):
    harness, client = shop
    intent_id, answer = choose_wechatpay(client)
    scan_path = urllib.parse.urlsplit(answer.headers["location"]).path
    code_url = re.search(r'href="([^"]+)" id="pay-open-link"', client.get(scan_path).text).group(1)
    customer_decides(sandbox, code_url, "cancel")
    harness.in_tenant(
        "alpha", lambda: PaymentEvent.update({PaymentEvent.kind: "query-old"}).where(PaymentEvent.kind == "query")
    )
    assert client.get(scan_path, follow_redirects=False).status_code == 303
    assert row(harness, intent_id)["state"] == "canceled" and deliveries(harness) == []
