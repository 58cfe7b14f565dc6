"""A customer's one-time code through the tenant's SMS provider, end to end over HTTP."""

from __future__ import annotations

import re

from sms_support import SIGNATURE

from core.notify.tables import Message
from core.testing import make_customer, register_customer


def test_a_reset_code_reaches_the_phone_through_the_smsc_signed_and_works(smpp_hall, smsc):
    h = smpp_hall()
    customer = make_customer(31)
    register_customer(h, "alpha", customer)
    client = h.client("alpha")
    page = client.post("/reset", {"login": customer.numbers[0].number, "channel": "sms"})
    assert page.status_code == 200
    [text] = smsc.texts()
    assert (
        text.startswith(f"【{SIGNATURE}】您正在重置") and smsc.submitted[0].destination == customer.phone
    )  # says what the code is for
    code = re.search(r"\b(\d{6})\b", text).group(1)
    flow = re.search(r'name="flow" value="([^"]+)"', page.text).group(1)
    done = client.post(
        "/reset/verify", {"flow": flow, "code": code, "password": "Brand-new-1", "password_confirm": "Brand-new-1"}
    )
    assert done.status_code == 200
    row = h.in_tenant("alpha", lambda: Message.select(Message.status, Message.provider, Message.params).first())
    assert row["status"] in ("sent", "delivered") and row["provider"] == "smpp" and row["params"]["code"] == code


def test_the_smsc_down_does_not_break_the_page(smpp_hall, smsc):
    h = smpp_hall()
    customer = make_customer(32)
    register_customer(h, "alpha", customer)
    smsc.stop()
    page = h.client("alpha").post("/reset", {"login": customer.numbers[0].number, "channel": "sms"})
    assert page.status_code == 200
    row = h.in_tenant("alpha", lambda: Message.select(Message.status, Message.last_error).first())
    assert row["status"] == "pending" and "unreachable" in row["last_error"]


def test_operators_see_provider_parts_and_delivery_report(smpp_hall, smsc):
    from sms_steps import collect_reports, send_sms

    from core.testing import add_operator

    h = smpp_hall()
    smsc.hold_receipts = True
    send_sms(h, "您的报修单 GD20240001 已受理，维修人员将在两小时内与您联系，请保持电话畅通。" * 3)
    smsc.release_receipts()
    collect_reports(h)
    add_operator(h, "alpha", "chief")
    client = h.client("alpha")
    client.login_operator("chief")
    page = client.get("/console/messages", params={"channel": "sms"}).text
    assert "已投递 · smpp · 共 3 条 · DELIVRD" in page  # the state by its translated name (core/labels.py)
