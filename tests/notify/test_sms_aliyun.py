"""Alibaba Cloud SMS: signed SendSms / QuerySendDetails against a stand-in that checks signatures as the service does."""

from __future__ import annotations

from sms_support import ALIYUN_KEY_ID, SIGNATURE, TEMPLATES
from sms_steps import collect_reports, message, parts, retry_due, send_sms


def test_a_code_goes_out_with_template_sign_name_and_values_and_the_report_marks_it_delivered(aliyun_hall, aliyun_api):
    h = aliyun_hall()
    mid = send_sms(
        h, "您的验证码是 482913，10 分钟内有效。", purpose="signup", params={"code": "482913", "minutes": 10}
    )
    [sent] = aliyun_api.sent
    assert (sent["PhoneNum"], sent["SignName"], sent["TemplateCode"]) == ("13800000001", SIGNATURE, TEMPLATES["signup"])
    assert sent["TemplateParam"] == {"code": "482913", "minutes": "10"} and sent["OutId"] == str(mid)
    assert aliyun_api.refused == []
    row = message(h, mid)
    assert (row["status"], row["provider"], row["parts"]) == ("sent", "aliyun", 1)
    assert [p["provider_id"] for p in parts(h, mid)] == [sent["BizId"]]
    collect_reports(h)
    row = message(h, mid)
    assert (row["status"], row["report"]) == ("delivered", "DELIVERED")


def test_a_failed_report_fails_the_message(aliyun_hall, aliyun_api):
    h = aliyun_hall()
    aliyun_api.undeliverable.add("13800000009")
    mid = send_sms(
        h, "您的报修单已受理", to="13800000009", purpose="workorder", params={"number": "GD1", "state": "已受理"}
    )
    collect_reports(h)
    assert (message(h, mid)["status"], message(h, mid)["report"]) == ("failed", "IS_CLOSE")


def test_a_wrong_access_key_secret_fails_cleanly_with_the_services_reason(hall_factory, aliyun_api, monkeypatch):
    from sms_support import aliyun_spec

    monkeypatch.setenv("HALL_TENANT_ALPHA_SMS_SECRET__ALIYUN_ACCESS_KEY_SECRET", "not-the-secret")
    h = hall_factory(tenants=[aliyun_spec(aliyun_api)])
    mid = send_sms(h, "验证码 1", purpose="reset", params={"code": "1"})
    row = message(h, mid)
    assert row["status"] == "failed" and "SignatureDoesNotMatch" in row["last_error"]
    assert aliyun_api.refused == ["SignatureDoesNotMatch"] and aliyun_api.sent == []


def test_an_unknown_access_key_and_a_kind_without_template_fail_cleanly(hall_factory, aliyun_api, monkeypatch):
    from sms_support import ALIYUN_SECRET, aliyun_spec

    monkeypatch.setenv("HALL_TENANT_ALPHA_SMS_SECRET__ALIYUN_ACCESS_KEY_SECRET", ALIYUN_SECRET)
    h = hall_factory(tenants=[aliyun_spec(aliyun_api, aliyun={"access_key_id": "LTAI-unknown"})])
    mid = send_sms(h, "验证码 1", purpose="signup", params={"code": "1"})
    assert "InvalidAccessKeyId.NotFound" in message(h, mid)["last_error"]
    h2 = hall_factory(tenants=[aliyun_spec(aliyun_api)])
    mid = send_sms(h2, "账单提醒", purpose="billmail.notice")
    row = message(h2, mid)
    assert (
        row["status"] == "failed"
        and "no Alibaba Cloud template code for messages of kind 'billmail.notice'" in row["last_error"]
    )
    assert aliyun_api.sent == []


def test_a_service_error_is_retried_and_sends_once(aliyun_hall, aliyun_api):
    h = aliyun_hall()
    aliyun_api.fail_next = 1
    mid = send_sms(h, "验证码 2", purpose="signup", params={"code": "2"})
    row = message(h, mid)
    assert row["status"] == "pending" and "isp.SYSTEM_ERROR" in row["last_error"]
    assert retry_due(h) == 1 and retry_due(h) == 0
    assert len(aliyun_api.sent) == 1 and message(h, mid)["status"] == "sent"


def test_the_stand_in_refuses_a_replayed_request():
    """The stand-in checks nonces and signatures itself (so the tests above prove something)."""
    from urllib.parse import urlencode

    from core.config.sms import AliyunSettings
    from core.notify.sms.aliyun import AliyunChannel
    from core.testing.aliyun_sms import StandInAliyunSms

    api = StandInAliyunSms(keys={ALIYUN_KEY_ID: "s3cret"})
    channel = AliyunChannel(
        AliyunSettings(access_key_id=ALIYUN_KEY_ID, endpoint=api.endpoint, templates={"default": "SMS_100001"}),
        "s3cret",
        "江南电信",
    )
    query = urlencode(
        channel.signed_query(
            "SendSms", PhoneNumbers="13800000001", SignName="江南电信", TemplateCode="SMS_100001", TemplateParam="{}"
        )
    )
    assert api.answer(query)[1]["Code"] == "OK"
    assert api.answer(query)[1]["Code"] == "SignatureNonceUsed"
    tampered = query.replace("13800000001", "13800000002")
    status, body = api.answer(tampered)
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch") and "PhoneNumbers%3D13800000002" in body["Message"]


def test_template_codes_come_from_settings_per_kind():
    from core.config.sms import AliyunSettings
    from core.notify.sms.aliyun import AliyunChannel

    channel = AliyunChannel(
        AliyunSettings(access_key_id="x", templates={"workorder": "SMS_3", "default": "SMS_9"}), "s", "江南电信"
    )
    assert channel.template_for("workorder") == "SMS_3"
    assert channel.template_for("bills.step_up") == "SMS_9"
