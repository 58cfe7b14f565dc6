"""Alipay automatic payment (代扣) against the sandbox with the SDK's real HTTP path: the signing page and its
dut_user_sign notification (delivered to a merchant's notify_url, verified by the provider, refused when forged),
agreement pay (alipay.trade.pay with agreement_params) answered once per out_trade_no with its trade notification,
a refusal, unsign, and the signing page's refusal of a malformed request."""

from __future__ import annotations

import asyncio
import json
import urllib.parse

import pytest

from alipay_support import APP_ID, NotifyReceiver, fetch, provider_for, start_sandbox
from core.api.payments import AgreementRefused, AgreementRequest, AgreementView, InvalidNotification


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("sandbox"), retry_scale=0.001)
    yield running
    running.stop()


def run(coro):
    return asyncio.run(coro)


def signed(sandbox, provider, external: str, receiver: NotifyReceiver) -> tuple[AgreementView, dict]:
    """Sign ``external`` in the sandbox like a customer; (its view, the verified notification's form)."""
    request = AgreementRequest(external, "C1", "13900000001", "pc", "https://hall.example/back", receiver.url, "Hall")
    checkout = run(provider.sign_agreement(request))
    status, _, page = fetch(checkout.redirect_url)
    assert status == 200 and "13900000001" in page and 'value="agree"' in page
    status, headers, _ = fetch(
        sandbox.url + "/sandbox/sign", {"app_id": APP_ID, "external_agreement_no": external, "action": "agree"}
    )
    assert status == 303 and headers["location"] == "https://hall.example/back"
    assert receiver.succeeded.wait(30)
    form = receiver.forms[-1]
    notice = run(provider.verify_agreement_notification(form))
    assert (notice.agreement_id, notice.status) == (external, "active") and notice.agreement_no
    return AgreementView(external, notice.agreement_no, "C1", "13900000001", receiver.url), form


def test_sign_charge_once_refuse_and_unsign(sandbox):
    provider = provider_for(sandbox.gateway)
    receiver = NotifyReceiver([])
    try:
        agreement, form = signed(sandbox, provider, "agtest0001", receiver)
        with pytest.raises(InvalidNotification):
            run(provider.verify_agreement_notification(form | {"agreement_no": "1"}))
        with pytest.raises(InvalidNotification):
            run(provider.verify_agreement_notification(form | {"notify_type": "trade_status_sync"}))

        first = run(provider.charge_agreement(agreement, 1234, "pitestcharge0001", "Caller ID 2026-02"))
        assert (first.status, first.amount_fen, first.intent_id) == ("succeeded", 1234, "pitestcharge0001")
        again = run(provider.charge_agreement(agreement, 1234, "pitestcharge0001", "Caller ID 2026-02"))
        assert (again.status, again.provider_ref) == ("succeeded", first.provider_ref)  # ACQ.TRADE_HAS_SUCCESS
        trade = sandbox.store.trade(APP_ID, "pitestcharge0001")
        assert trade["status"] == "TRADE_SUCCESS" and trade["total_fen"] == 1234
        notes = sandbox.store.notifications(APP_ID, "pitestcharge0001")
        assert len(notes) == 1 and notes[0]["form"]["trade_status"] == "TRADE_SUCCESS"  # one trade, one notification
        assert run(provider.verify_notification(notes[0]["form"])).status == "succeeded"

        sandbox.agreements.refuse(agreement.agreement_no)
        with pytest.raises(AgreementRefused, match="BALANCE_NOT_ENOUGH"):
            run(provider.charge_agreement(agreement, 500, "pitestcharge0002", "refused"))
        assert sandbox.store.trade(APP_ID, "pitestcharge0002") is None  # nothing taken
        sandbox.agreements.refuse(agreement.agreement_no, "")

        receiver.succeeded.clear()
        run(provider.cancel_agreement(agreement))
        run(provider.cancel_agreement(agreement))  # ended already: not an error
        assert sandbox.agreements.get(APP_ID, "agtest0001")["status"] == "UNSIGN"
        with pytest.raises(AgreementRefused, match="AGREEMENT_NOT_EXIST"):
            run(provider.charge_agreement(agreement, 500, "pitestcharge0003", "after unsign"))
        while not any(f.get("notify_type") == "dut_user_unsign" for f in receiver.forms):
            assert receiver.succeeded.wait(30)  # a safety net only: the sandbox delivers at once
            receiver.succeeded.clear()
        unsign = next(f for f in receiver.forms if f.get("notify_type") == "dut_user_unsign")
        assert run(provider.verify_agreement_notification(unsign)).status == "cancelled"
    finally:
        receiver.close()


def test_a_signing_request_with_another_product_or_a_foreign_key_is_refused(sandbox):
    provider = provider_for(sandbox.gateway)
    request = AgreementRequest("agtest0002", "C1", "A1", "pc", "https://hall.example/back", "", "Hall")
    url = run(provider.sign_agreement(request)).redirect_url
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    biz = json.loads(params["biz_content"]) | {"personal_product_code": "GENERAL_WITHHOLDING_P"}
    tampered = url.replace(urllib.parse.quote_plus(params["biz_content"]), urllib.parse.quote_plus(json.dumps(biz)))
    status, _, page = fetch(tampered)
    assert status == 400 and "isv.invalid-signature" in page  # the merchant's signature no longer matches
    foreign = provider_for(
        sandbox.gateway, private=__import__("plugins.alipay.signing", fromlist=["x"]).new_key_pair()[0]
    )
    status, _, page = fetch(run(foreign.sign_agreement(request)).redirect_url)
    assert status == 400 and "isv.invalid-signature" in page
