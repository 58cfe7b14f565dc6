"""Both directions of the signature with the real SDK, and notifications refused unless everything matches.

The sandbox signs notifications with its own key; the provider verifies them
through python-alipay-sdk with the sandbox's public key as "Alipay's public key".
The SDK signs checkout requests; the sandbox verifies them with the merchant's
public key. A notification is refused when its signature, app_id, seller or
amount text is wrong, and verifying never changes the caller's form.
"""

from __future__ import annotations

import asyncio
import copy
import json
import urllib.parse

import pytest

from core.api.payments import CheckoutRequest, InvalidNotification
from alipay_support import APP_ID, SELLER_ID, key_pairs, provider_for, write_sandbox_config
from plugins.alipay.sandbox.config import load_config
from plugins.alipay.sandbox.notifier import notification_form
from plugins.alipay.sandbox.protocol import GatewayRefusal, authenticate
from plugins.alipay.signing import content, load_private, new_key_pair, sign_text

GATEWAY = "http://127.0.0.1:9/gateway.do"  # never contacted in this module


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return load_config(write_sandbox_config(tmp_path_factory.mktemp("sandbox")))


@pytest.fixture(scope="module")
def provider():
    return provider_for(GATEWAY)


def paid_trade(**changes) -> dict:
    trade = {
        "app_id": APP_ID,
        "seller_id": SELLER_ID,
        "out_trade_no": "pi_0001",
        "trade_no": "2026112522001400000000000001",
        "subject": "话费充值 & 宽带",
        "status": "TRADE_SUCCESS",
        "total_fen": 8888,
        "created_at": "2026-11-25 10:00:00",
        "paid_at": "2026-11-25 10:00:05",
        "closed_at": "",
    }
    return trade | changes


def resign(form: dict, private_pem: str) -> dict:
    body = {k: v for k, v in form.items() if k not in ("sign", "sign_type")}
    return body | {
        "sign_type": "RSA2",
        "sign": sign_text(load_private(private_pem), content(body, exclude=("sign", "sign_type"))),
    }


def verify(provider, form):
    return asyncio.run(provider.verify_notification(form))


def test_a_sandbox_notification_verifies_through_the_sdk(config, provider):
    result = verify(provider, notification_form(config, paid_trade()))
    assert (result.intent_id, result.provider_ref, result.status, result.amount_fen) == (
        "pi_0001",
        "2026112522001400000000000001",
        "succeeded",
        8888,
    )
    assert result.raw["app_id"] == APP_ID and "sign" not in result.raw


@pytest.mark.parametrize(
    "status, expected", [("WAIT_BUYER_PAY", "pending"), ("TRADE_CLOSED", "canceled"), ("TRADE_FINISHED", "succeeded")]
)
def test_trade_status_maps_to_the_cores_states(config, provider, status, expected):
    trade = paid_trade(
        status=status,
        paid_at="" if status != "TRADE_FINISHED" else "2026-11-25 10:00:05",
        closed_at="2026-11-25 10:30:00",
    )
    assert verify(provider, notification_form(config, trade)).status == expected


def test_verifying_never_changes_the_callers_form(config, provider):
    form = notification_form(config, paid_trade())
    before = copy.deepcopy(form)
    verify(provider, form)
    assert form == before  # sign and sign_type still there


def test_the_sdk_itself_mutates_what_it_verifies(config, provider):
    """The trap the provider avoids: AliPay.verify pops sign_type from the dict it is given."""
    form = notification_form(config, paid_trade())
    data = {k: v for k, v in form.items() if k != "sign"}
    assert provider.client.verify(data, form["sign"]) is True
    assert "sign_type" not in data


@pytest.mark.parametrize(
    "field, value",
    [
        ("total_amount", "1.00"),
        ("out_trade_no", "pi_other"),
        ("trade_status", "TRADE_SUCCESS "),
        ("app_id", "2021000000000002"),
        ("seller_id", "2088000000000002"),
        ("subject", "x"),
    ],
)
def test_a_tampered_field_breaks_the_signature(config, provider, field, value):
    form = notification_form(config, paid_trade()) | {field: value}
    with pytest.raises(InvalidNotification):
        verify(provider, form)


@pytest.mark.parametrize("sign", ["", "bm90IGEgc2lnbmF0dXJl", "***not base64***", None])
def test_a_missing_or_garbled_sign_is_refused(config, provider, sign):
    form = notification_form(config, paid_trade())
    if sign is None:
        del form["sign"]
    else:
        form["sign"] = sign
    with pytest.raises(InvalidNotification):
        verify(provider, form)


def test_a_notification_signed_by_another_key_is_refused(config, provider):
    forger_private, _ = new_key_pair()
    with pytest.raises(InvalidNotification, match="bad signature"):
        verify(provider, resign(notification_form(config, paid_trade()), forger_private))


def test_a_correctly_signed_notification_for_another_app_or_seller_is_refused(config, provider):
    with pytest.raises(InvalidNotification, match="app_id"):
        verify(provider, notification_form(config, paid_trade(app_id="2021000000000009")))
    with pytest.raises(InvalidNotification, match="seller_id"):
        verify(provider, notification_form(config, paid_trade(seller_id="2088000000000009")))


def test_a_signed_sub_fen_amount_or_unknown_status_is_refused(config, provider):
    sandbox_private = key_pairs().sandbox_private
    with pytest.raises(InvalidNotification, match="yuan"):
        verify(provider, resign(notification_form(config, paid_trade()) | {"total_amount": "88.885"}, sandbox_private))
    with pytest.raises(InvalidNotification, match="trade_status"):
        verify(
            provider, resign(notification_form(config, paid_trade()) | {"trade_status": "TRADE_PAID"}, sandbox_private)
        )


def test_only_rsa2_is_accepted(config, provider):
    with pytest.raises(InvalidNotification, match="sign_type"):
        verify(provider, notification_form(config, paid_trade()) | {"sign_type": "RSA"})


def test_the_answer_is_success_only_when_handled(provider):
    assert provider.notification_response(True) == (200, "text/plain", "success")
    assert provider.notification_response(False)[2] == "fail"


@pytest.mark.parametrize("channel, method", [("pc", "alipay.trade.page.pay"), ("wap", "alipay.trade.wap.pay")])
def test_the_sdk_signs_a_checkout_and_the_sandbox_verifies_it(config, provider, channel, method):
    request = CheckoutRequest(
        intent_id="pi_0002",
        amount_fen=12345,
        currency="CNY",
        subject="宽带续费 1 年",
        channel=channel,
        return_url="https://hall.example/pay/return/pi_0002",
        notify_url="https://hall.example/pay/notify/alipay",
        expires_at=None,
    )
    checkout = asyncio.run(provider.create_checkout(request))
    assert checkout.redirect_url.startswith(GATEWAY + "?")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(checkout.redirect_url).query))
    got_method, biz = authenticate(config, params)
    assert (
        got_method == method
        and params["notify_url"] == request.notify_url
        and params["return_url"] == request.return_url
    )
    assert (biz["out_trade_no"], biz["total_amount"], biz["subject"]) == ("pi_0002", "123.45", "宽带续费 1 年")
    tampered = params | {"biz_content": json.dumps(biz | {"total_amount": "0.01"}, separators=(",", ":"))}
    with pytest.raises(GatewayRefusal, match="invalid-signature"):
        authenticate(config, tampered)
    other_merchant, _ = new_key_pair()
    forged = provider_for(GATEWAY, private=other_merchant)
    forged_params = dict(
        urllib.parse.parse_qsl(urllib.parse.urlsplit(asyncio.run(forged.create_checkout(request)).redirect_url).query)
    )
    with pytest.raises(GatewayRefusal, match="invalid-signature"):
        authenticate(config, forged_params)


def test_checkout_refuses_sub_fen_free_amount_types_and_other_currencies(provider):
    base = dict(
        intent_id="pi_3",
        amount_fen=100,
        currency="CNY",
        subject="s",
        channel="pc",
        return_url="https://h/r",
        notify_url="https://h/n",
        expires_at=None,
    )
    for bad in ({"amount_fen": 1.5}, {"currency": "USD"}, {"channel": "app"}):
        with pytest.raises(ValueError):
            asyncio.run(provider.create_checkout(CheckoutRequest(**(base | bad))))


def test_the_gateway_is_set_through_the_sdks_private_attribute(provider):
    assert provider.client._gateway == GATEWAY  # python-alipay-sdk 3.x has no public setting for it


def test_the_openssl_check_agrees_with_the_sdks_own(config, provider):
    """The provider's client verifies with OpenSSL; the SDK's pycryptodome check gives the same answer on every case."""
    from alipay import AliPay

    keys = key_pairs()
    sdk = AliPay(
        appid=APP_ID, app_private_key_string=keys.merchant_private, alipay_public_key_string=keys.sandbox_public
    )
    genuine = notification_form(config, paid_trade())
    forger_private, _ = new_key_pair()
    cases = [
        genuine,
        genuine | {"total_amount": "1.00"},
        resign(genuine, forger_private),
        genuine | {"sign": genuine["sign"][:-4] + "AAA="},
    ]
    for form in cases:
        data = {k: v for k, v in form.items() if k != "sign"}
        ours = provider.client.verify(dict(data), form["sign"])
        theirs = sdk.verify(dict(data), form["sign"])
        assert ours == theirs
    assert provider.client.verify({k: v for k, v in genuine.items() if k != "sign"}, genuine["sign"]) is True


def test_the_testkits_notifications_verify():
    """plugins.alipay.testkit: what benchmarks and other plugins' tests use to post Alipay notifications."""
    from plugins.alipay import testkit
    from plugins.alipay.keys import AlipayKeys
    from plugins.alipay.provider import AlipayProvider
    from plugins.alipay.settings import AlipaySettings

    keys = testkit.new_keys()
    provider = AlipayProvider(
        AlipaySettings(**testkit.tenant_settings(GATEWAY)["alipay"]),
        AlipayKeys(keys.merchant_private, keys.gateway_public),
    )
    result = verify(provider, testkit.paid_notification(keys, "pi_kit", 1234))
    assert (result.intent_id, result.status, result.amount_fen) == ("pi_kit", "succeeded", 1234)
    assert "[alipay.alpha]" in testkit.secrets_toml("alpha", keys)
