"""JSAPI, paying inside WeChat's browser: silent sign-in for the openid, the JSAPI order, the signed bridge page, credited once.

The hall's tenant has the AppSecret (secrets ``app_secret``); a browser whose
user agent says MicroMessenger is sent to WeChat's sign-in (the sandbox), comes
back to ``/pay/payer/...`` with a one-time code, and gets the page that calls
``WeixinJSBridge.invoke("getBrandWCPayRequest", …)`` with a paySign the sandbox's
pay sheet verifies as WeChat's client would. Without an AppSecret such a payer gets H5.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse

import pytest

import wechat_shop
from wechatpay_support import APP_SECRET, MCH_ID, fetch, start_sandbox, tenant_settings, write_secrets
from core.payments.tables import PaymentIntent
from core.testing import TenantSpec, make_customer, register_customer
from core.testing.payments import FakePaymentPlugin

WECHAT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0.49 NetType/WIFI"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("wxjsapi"))
    yield running
    running.stop()


def make_shop(hall_factory, sandbox, **secrets):
    harness = hall_factory(
        [TenantSpec("alpha", plugins=["wxshop"], payments={"providers": ["wechatpay"]}, plugin_settings=tenant_settings(sandbox.url))],
        extra_plugins={"wxshop": wechat_shop, "fakepay": FakePaymentPlugin()},
    )  # fmt: skip
    write_secrets(harness.hall.settings.config_file, "alpha", **secrets)
    customer = make_customer(1)
    register_customer(harness, "alpha", customer)
    client = harness.client("alpha")
    client.login_customer(customer.numbers[0].number)
    return harness, client


@pytest.fixture
def shop(hall_factory, sandbox):
    return make_shop(hall_factory, sandbox, app_secret=APP_SECRET)


def row(harness, intent_id):
    return harness.in_tenant(
        "alpha", lambda: PaymentIntent.select().where(PaymentIntent.public_id == intent_id).first()
    )


def buy_in_wechat(client) -> str:
    """Buy inside WeChat: where the hall sends the browser (WeChat's sign-in)."""
    answer = client.post("/wxshop/buy/card50", headers={"user-agent": WECHAT})
    assert answer.status_code == 303, answer.text[:300]
    return answer.headers["location"]


def sign_in(sandbox, location: str) -> str:
    """What WeChat does with the sign-in link: straight back to the hall with a code."""
    assert location.startswith(sandbox.url + "/connect/oauth2/authorize?") and location.endswith("#wechat_redirect")
    status, headers, body = fetch(location.removesuffix("#wechat_redirect"))
    assert status == 302, body
    return headers["location"]


def bridge_parameters(page: str) -> dict:
    data = re.search(r'<script[^>]*id="wxpay"[^>]*>(.*?)</script>', page, re.S).group(1)
    return json.loads(data)


def test_inside_wechat_the_payer_signs_in_silently_and_pays_through_the_bridge_once(shop, sandbox):
    harness, client = shop
    location = buy_in_wechat(client)
    back = sign_in(sandbox, location)
    path = urllib.parse.urlsplit(back)
    assert path.path.startswith("/pay/payer/") and "code=" in path.query
    intent_id = path.path.split("/")[3]
    assert row(harness, intent_id)["channel"] == "inapp" and row(harness, intent_id)["state"] == "pending"
    page = client.get(f"{path.path}?{path.query}", headers={"user-agent": WECHAT})
    assert page.status_code == 200 and "getBrandWCPayRequest" in page.text
    assert 'nonce="' in page.text  # scripts and style pass the hall's CSP
    params = bridge_parameters(page.text)
    assert params["appId"] == tenant_settings("")["wechatpay"]["app_id"] and params["signType"] == "RSA"
    assert params["package"].startswith("prepay_id=wx")
    trade = sandbox.store.trade(MCH_ID, intent_id)
    assert trade["trade_type"] == "JSAPI" and trade["total_fen"] == 5000
    # WeChat's client checks paySign, shows its sheet, the payer confirms
    return_url = html.unescape(re.search(r'id="back" href="([^"]+)"', page.text).group(1))
    status, _, sheet = fetch(sandbox.url + "/sandbox/jsapi", params | {"back": return_url})
    assert status == 200 and 'id="confirm"' in sheet
    token = re.search(r'name="token" value="([^"]+)"', sheet).group(1)
    status, headers, _ = fetch(sandbox.url + "/sandbox/pay", {"token": token, "back": return_url, "action": "pay"})
    assert status == 303 and headers["location"] == return_url
    [note] = sandbox.store.notifications(MCH_ID, intent_id)
    body, headers = sandbox.notifier.delivery(note)
    assert client.http.post(client.url("/pay/notify/wechatpay"), content=body, headers=headers).status_code == 204
    assert row(harness, intent_id)["state"] == "succeeded"


def test_a_used_or_forged_sign_in_code_charges_nothing_and_says_so(shop, sandbox):
    harness, client = shop
    location = buy_in_wechat(client)
    back = urllib.parse.urlsplit(sign_in(sandbox, location))
    first = client.get(f"{back.path}?{back.query}", headers={"user-agent": WECHAT})
    assert first.status_code == 200
    again = client.get(f"{back.path}?{back.query}", headers={"user-agent": WECHAT})  # the code works once
    assert again.status_code == 400 and 'id="payer-unknown"' in again.text
    forged = client.get(f"{back.path}?code=made-up&state=hall", headers={"user-agent": WECHAT})
    assert forged.status_code == 400
    assert client.get(f"{back.path[:-4]}xxxx?code=x").status_code == 404  # the token stands for the payer


def test_a_forged_pay_sign_is_refused_by_the_sheet(shop, sandbox):
    _, client = shop
    location = buy_in_wechat(client)
    back = urllib.parse.urlsplit(sign_in(sandbox, location))
    params = bridge_parameters(client.get(f"{back.path}?{back.query}", headers={"user-agent": WECHAT}).text)
    status, _, text = fetch(sandbox.url + "/sandbox/jsapi", params | {"package": "prepay_id=wxother"})
    assert status == 400 and "paySign" in text


def test_without_an_app_secret_a_payer_inside_wechat_gets_h5(hall_factory, sandbox):
    _, client = make_shop(hall_factory, sandbox)
    answer = client.post("/wxshop/buy/card50", headers={"user-agent": WECHAT})
    assert answer.status_code == 303 and answer.headers["location"].startswith(sandbox.url + "/sandbox/checkout/")


def test_hall_check_names_a_malformed_app_secret(hall_factory, sandbox):
    from plugins.wechatpay import problems

    harness = hall_factory(
        [TenantSpec("alpha", payments={"providers": ["wechatpay"]}, plugin_settings=tenant_settings(sandbox.url))]
    )
    write_secrets(harness.hall.settings.config_file, "alpha", app_secret="not-hex")

    issues, _ = problems(harness.hall, harness.hall.tenants.get("alpha"))
    assert [i for i in issues if i.key == "wechatpay.alpha.app_secret" and "32 lowercase hex" in i.reason]


def test_a_provider_that_cannot_be_built_does_not_break_the_choice_page(hall_factory, sandbox):
    """WeChat Pay switched on without its secrets: the choice page still renders (it says so once chosen), no 500."""
    harness = hall_factory(
        [TenantSpec("alpha", plugins=["wxshop"], payments={"providers": ["fake", "wechatpay"]}, plugin_settings=tenant_settings(sandbox.url))],
        extra_plugins={"wxshop": wechat_shop, "fakepay": FakePaymentPlugin()},
    )  # fmt: skip
    customer = make_customer(1)
    register_customer(harness, "alpha", customer)
    client = harness.client("alpha")
    client.login_customer(customer.numbers[0].number)
    for agent in ("Mozilla/5.0 (X11; Linux x86_64)", WECHAT):
        page = client.post("/wxshop/buy/card50", headers={"user-agent": agent})
        assert page.status_code == 200 and 'id="pay-with-fake"' in page.text, page.text[:300]
