"""The provider's server calls against a running sandbox (granian on a free port), with the SDK's real HTTP path.

Page pay, the pay page, the signed return, query, refund (partial, repeated,
too much, full), close, a restart that keeps the trades, a merchant key the
sandbox does not know, a gateway that is down, and notifications retried on
Alipay's (compressed) back-off until the merchant answers `success`.
"""

from __future__ import annotations

import asyncio
import urllib.parse

import pytest

from core.api.payments import CheckoutRequest, ProviderUnavailable
from alipay_support import (
    APP_ID,
    NotifyReceiver,
    customer_decides,
    fetch,
    provider_for,
    start_sandbox,
    write_sandbox_config,
)
from plugins.alipay.provider import AlipayError
from plugins.alipay.sandbox.config import RETRY_MINUTES, load_config
from plugins.alipay.sandbox.runner import SandboxThread
from plugins.alipay.signing import new_key_pair

RETURN = "https://hall.example/t/alpha/pay/return/{}?from=alipay"
NOTIFY = "http://127.0.0.1:9/pay/notify/alipay"  # nobody listens: notifications here only queue up


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("sandbox"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def provider(sandbox):
    return provider_for(sandbox.gateway)


def run(coro):
    return asyncio.run(coro)


def checkout(provider, intent_id: str, amount_fen: int = 5000, channel: str = "pc", notify_url: str = NOTIFY) -> str:
    request = CheckoutRequest(
        intent_id=intent_id,
        amount_fen=amount_fen,
        currency="CNY",
        subject=f"测试账单 {intent_id}",
        channel=channel,
        return_url=RETURN.format(intent_id),
        notify_url=notify_url,
        expires_at=None,
    )
    return run(provider.create_checkout(request)).redirect_url


def test_the_pay_page_shows_the_order_in_the_customers_language(sandbox, provider):
    url = checkout(provider, "pi_page", 12345)
    status, _, page = fetch(url)
    assert status == 200 and "测试账单 pi_page" in page and "¥123.45" in page and "确认付款" in page
    status, _, page = fetch(url, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert status == 200 and ">Pay<" in page and ">Cancel<" in page


def test_paying_redirects_with_a_signed_return_and_the_query_says_paid(sandbox, provider):
    assert run(provider.query("pi_paid")).status == "unknown"  # before the customer reaches the gateway
    url = checkout(provider, "pi_paid", 5000, channel="wap")
    fetch(url)
    assert run(provider.query("pi_paid")).status == "pending"  # the pay page opened the trade
    status, location = customer_decides(sandbox, url, "pay")
    assert status == 303 and location.startswith(RETURN.format("pi_paid") + "&")
    returned = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert returned["method"] == "alipay.trade.wap.pay.return" and returned["total_amount"] == "50.00"
    data = {k: v for k, v in returned.items() if k not in ("sign", "from")}
    assert provider.client.verify(data, returned["sign"])  # signed by the sandbox like Alipay's return
    result = run(provider.query("pi_paid"))
    assert (result.status, result.amount_fen, result.intent_id) == (
        "succeeded",
        5000,
        "pi_paid",
    ) and result.provider_ref


def test_the_same_order_with_another_amount_is_refused(sandbox, provider):
    fetch(checkout(provider, "pi_changed", 1000))
    status, _, page = fetch(checkout(provider, "pi_changed", 1))
    assert status == 400 and "ACQ.TRADE_HAS_CHANGED" in page


def test_a_tampered_checkout_url_is_refused_by_the_gateway(sandbox, provider):
    url = checkout(provider, "pi_tamper", 9999)
    status, _, page = fetch(url.replace("99.99", "0.01"))
    assert status == 400 and "isv.invalid-signature" in page


def test_refunds_partial_repeated_too_much_and_full(sandbox, provider):
    customer_decides(sandbox, checkout(provider, "pi_refund", 10000), "pay")
    ref = run(provider.refund("pi_refund", "rf_1", 3000, "partial"))
    assert ref.endswith("/rf_1")
    assert (
        run(provider.refund("pi_refund", "rf_1", 3000, "partial")) == ref
    )  # same request number: answered, not paid twice
    assert sandbox.store.trade(APP_ID, "pi_refund")["refunded_fen"] == 3000
    with pytest.raises(AlipayError) as refused:
        run(provider.refund("pi_refund", "rf_2", 7001, "too much"))
    assert refused.value.sub_code == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    run(provider.refund("pi_refund", "rf_3", 7000, "the rest"))
    after = run(provider.query("pi_refund"))
    assert (
        after.raw["trade_status"] == "TRADE_CLOSED" and after.status == "succeeded"
    )  # closed by refunds, but it was paid


def test_a_refund_of_an_unpaid_trade_is_refused(sandbox, provider):
    fetch(checkout(provider, "pi_unpaid_refund"))
    with pytest.raises(AlipayError) as refused:
        run(provider.refund("pi_unpaid_refund", "rf_x", 100, "x"))
    assert refused.value.sub_code == "ACQ.TRADE_STATUS_ERROR"


def test_close_a_waiting_trade_a_missing_one_and_not_a_paid_one(sandbox, provider):
    fetch(checkout(provider, "pi_close"))
    run(provider.close("pi_close"))
    assert run(provider.query("pi_close")).status == "canceled"
    run(provider.close("pi_never_opened"))  # nothing to close: not an error
    customer_decides(sandbox, checkout(provider, "pi_close_paid"), "pay")
    with pytest.raises(AlipayError, match="ACQ.TRADE_STATUS_ERROR"):
        run(provider.close("pi_close_paid"))


def test_cancel_on_the_pay_page_closes_the_trade(sandbox, provider):
    status, location = customer_decides(sandbox, checkout(provider, "pi_cancel"), "cancel")
    assert status == 303 and location == RETURN.format(
        "pi_cancel"
    )  # nothing signed to trust: the hall asks the gateway
    assert run(provider.query("pi_cancel")).status == "canceled"


def test_a_merchant_key_the_gateway_does_not_know_is_unavailable_not_a_crash(sandbox):
    stranger, _ = new_key_pair()
    with pytest.raises(ProviderUnavailable, match="isv.invalid-signature"):
        run(provider_for(sandbox.gateway, private=stranger).query("pi_paid"))


def test_a_gateway_that_is_down_is_unavailable():
    with pytest.raises(ProviderUnavailable, match="unreachable"):
        run(provider_for("http://127.0.0.1:9/gateway.do").query("pi_x"))


def test_a_restarted_sandbox_keeps_its_trades(tmp_path):
    first = start_sandbox(tmp_path)
    try:
        provider = provider_for(first.gateway)
        customer_decides(first, checkout(provider, "pi_restart", 777), "pay")
    finally:
        first.stop()
    second = SandboxThread(load_config(tmp_path / "sandbox.toml")).start()
    try:
        result = run(provider_for(second.gateway).query("pi_restart"))
        assert (result.status, result.amount_fen) == ("succeeded", 777)
    finally:
        second.stop()


def test_notifications_are_retried_on_alipays_back_off_until_success(tmp_path):
    scale = 0.0005  # 4 min → 0.12 s, 10 min → 0.3 s
    sandbox = SandboxThread(load_config(write_sandbox_config(tmp_path, retry_scale=scale))).start()
    receiver = NotifyReceiver(["fail", "oops", "success"])
    try:
        provider = provider_for(sandbox.gateway)
        customer_decides(sandbox, checkout(provider, "pi_retry", 4200, notify_url=receiver.url), "pay")
        assert receiver.succeeded.wait(30), f"the merchant never got a notification it accepted: {receiver.forms}"
        assert len(receiver.forms) == 3 and all(
            form == receiver.forms[0] for form in receiver.forms
        )  # the same signed notification
        result = run(provider.verify_notification(receiver.forms[-1]))
        assert (result.status, result.amount_fen, result.intent_id) == ("succeeded", 4200, "pi_retry")
        note = _wait_until(
            lambda: (n := sandbox.store.notifications(APP_ID, "pi_retry")[0])["delivered_at"] and n
        )  # recorded after the answer
        assert note["attempts"] == 3 and note["next_at"] is None
        assert note["last_answer"] == "200 success"
    finally:
        receiver.close()
        sandbox.stop()


def test_the_back_off_is_alipays_and_ends_after_eight_attempts(tmp_path):
    config = load_config(write_sandbox_config(tmp_path, retry_scale=1.0))
    assert RETRY_MINUTES == (4, 10, 10, 60, 120, 360, 900)
    assert config.retry_delays() == [240, 600, 600, 3600, 7200, 21600, 54000]
    sandbox = SandboxThread(load_config(write_sandbox_config(tmp_path, retry_scale=0.00001))).start()
    receiver = NotifyReceiver(["fail"] * 20)
    try:
        provider = provider_for(sandbox.gateway)
        customer_decides(sandbox, checkout(provider, "pi_give_up", 100, notify_url=receiver.url), "pay")
        note = _wait_until(lambda: (n := sandbox.store.notifications(APP_ID, "pi_give_up")[0])["next_at"] is None and n)
        assert note["attempts"] == 8 and note["delivered_at"] is None and len(receiver.forms) == 8
    finally:
        receiver.close()
        sandbox.stop()


def _wait_until(probe, attempts: int = 600):
    import time

    for _ in range(attempts):
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("the condition never held")
