"""Tencent Cloud SMS: TC3-HMAC-SHA256 signed calls against a stand-in that verifies signatures as the service does."""

from __future__ import annotations

from sms_steps import collect_reports, message, parts, send_sms
from sms_support import SIGNATURE, TENCENT_ID, TENCENT_KEY, tencent_spec

from core.testing.tencent_sms import StandInTencentSms


def test_a_code_goes_out_with_positional_values_and_the_pulled_report_marks_it_delivered(hall_factory, monkeypatch):
    api = StandInTencentSms(keys={TENCENT_ID: TENCENT_KEY}).start()
    try:
        monkeypatch.setenv("HALL_TENANT_ALPHA_SMS_SECRET__TENCENT_SECRET_KEY", TENCENT_KEY)
        h = hall_factory(tenants=[tencent_spec(api.endpoint)])
        mid = send_sms(h, "验证码 482913", purpose="signup", params={"code": "482913", "minutes": 10})
        [sent] = api.sent
        assert (sent["PhoneNumber"], sent["SignName"], sent["TemplateId"], sent["TemplateParamSet"]) == (
            "+8613800000001",
            SIGNATURE,
            "1000001",
            ["482913", "10"],
        )
        assert api.refused == [] and sent["SessionContext"] == str(mid)
        assert [p["provider_id"] for p in parts(h, mid)] == [sent["SerialNo"]]
        api.undeliverable.add("13800000002")
        other = send_sms(
            h, "您的报修单已受理", to="13800000002", purpose="workorder", params={"number": "GD1", "state": "已受理"}
        )
        collect_reports(h)
        assert (message(h, mid)["status"], message(h, mid)["report"]) == ("delivered", "DELIVRD")
        assert (message(h, other)["status"], message(h, other)["report"]) == ("failed", "UNDELIV")
    finally:
        api.stop()


def test_a_wrong_secret_key_fails_cleanly_with_the_services_reason(hall_factory, monkeypatch):
    api = StandInTencentSms(keys={TENCENT_ID: TENCENT_KEY}).start()
    try:
        monkeypatch.setenv("HALL_TENANT_ALPHA_SMS_SECRET__TENCENT_SECRET_KEY", "not-the-key")
        h = hall_factory(tenants=[tencent_spec(api.endpoint)])
        mid = send_sms(h, "验证码 1", purpose="reset", params={"code": "1", "minutes": 10})
        row = message(h, mid)
        assert row["status"] == "failed" and "AuthFailure.SignatureFailure" in row["last_error"]
        assert api.sent == [] and api.refused == ["AuthFailure.SignatureFailure"]
    finally:
        api.stop()


def test_hall_check_names_missing_tencent_settings(hall_factory):
    import pytest

    from core.config import ConfigError

    with pytest.raises(ConfigError) as raised:
        hall_factory(
            tenants=[tencent_spec("http://127.0.0.1:9/", tencent={"secret_id": "", "templates": {"workorder": "1"}})]
        )
    keys = {i.key for i in raised.value.issues}
    assert keys == {"sms.tencent.secret_id", "sms.tencent.templates", "sms.alpha.tencent_secret_key"}


def test_the_stand_in_checks_the_signature_over_the_body():
    import time

    from core.notify.sms.tencent import authorization

    api = StandInTencentSms(keys={TENCENT_ID: TENCENT_KEY})
    body = '{"Limit":10,"SmsSdkAppId":"1400000001"}'
    now = int(time.time())
    headers = {
        "authorization": authorization(TENCENT_ID, TENCENT_KEY, "sms.test", "PullSmsSendStatus", body, now),
        "content-type": "application/json; charset=utf-8",
        "host": "sms.test",
        "x-tc-action": "PullSmsSendStatus",
        "x-tc-timestamp": str(now),
        "x-tc-version": "2021-01-11",
    }
    assert "Error" not in api.answer(headers, body.encode())
    assert api.answer(headers, body.replace("10", "11").encode())["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert (
        api.answer({**headers, "x-tc-timestamp": str(now - 600)}, body.encode())["Error"]["Code"]
        == "AuthFailure.SignatureExpire"
    )
