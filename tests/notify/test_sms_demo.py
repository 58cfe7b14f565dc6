"""The demo: SMS printed plainly in the terminal, one line per demo mail."""

from __future__ import annotations

from email.message import EmailMessage

from sms_steps import message, send_sms

from core.cli.demo import mail_summary
from core.notify.channels import ECHO_VARIABLE
from core.testing import TenantSpec


def test_the_demo_channel_prints_each_sms_with_a_masked_number(hall_factory, monkeypatch, capsys):
    h = hall_factory(tenants=[TenantSpec("alpha", sms={"signature": "江南电信"})])
    monkeypatch.setenv(ECHO_VARIABLE, "1")
    mid = send_sms(h, "您的验证码是 123456，10 分钟内有效。", to="13800000001")
    assert capsys.readouterr().out == "SMS to 138****0001: 【江南电信】您的验证码是 123456，10 分钟内有效。\n"
    assert (message(h, mid)["status"], message(h, mid)["provider"]) == ("sent", "demo")
    monkeypatch.delenv(ECHO_VARIABLE)
    send_sms(h, "again", to="13800000001")
    assert capsys.readouterr().out == ""  # outside `hall demo` nothing is printed


def test_the_signature_defaults_to_the_tenants_name():
    from core.config.sms import SmsSection
    from core.notify.outbox import sms_signature

    class T:
        name = "江南电信网上营业厅"

    assert sms_signature(T(), SmsSection()) == "江南电信"
    assert sms_signature(T(), SmsSection(signature="江南")) == "江南"


def test_a_demo_mail_is_one_line_with_its_code():
    mail = EmailMessage()
    mail["Subject"] = "江南电信网上营业厅验证码"
    mail.set_content("您的验证码是 654321，10 分钟内有效。\n如非本人操作，请忽略。\n")
    line = mail_summary(["a@example.com"], mail.as_bytes())
    assert line == "Mail to a@example.com: 江南电信网上营业厅验证码  (code 654321)"
    mail.replace_header("Subject", "账单")
    mail.set_content("本月账单已出。")
    assert "\n" not in mail_summary(["b@example.com"], mail.as_bytes()) and "code" not in mail_summary(
        ["b@example.com"], mail.as_bytes()
    )
