"""The payments console in Chinese names states, ledger events and refund states; times are the tenant's (Beijing) time."""

from __future__ import annotations

import html
import re
from zoneinfo import ZoneInfo

from core.payments import refund
from core.payments.tables import PaymentEvent
from core.testing import add_operator

from test_pay_refunds_reconcile import paid_intent

# "refund" itself is left out: the ledger's reason column is the core's English log text ("refund rf… of 300 fen …").
CODES = ["created", "pending", "succeeded", "partially_refunded", "refunded", "checkout", "notification", "state"]


def _text(page: str) -> str:
    body = page.split("<main", 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_payment_page_shows_names_not_codes_and_beijing_times(pay):
    h, plugin = pay
    intent = paid_intent(h, plugin)
    h.in_tenant("alpha", refund, h.hall, intent.id, 300, reason="卡坏了", operator="clerk")
    add_operator(h, "alpha", "cashier", permissions=["core.payments.view"])
    client = h.client("alpha")
    client.login_operator("cashier")
    text = _text(client.get(f"/console/payments/{intent.id}").text)
    assert "部分退款" in text and "已支付" in text and "创建支付" in text and "退款" in text
    leftover = {c for c in CODES if re.search(rf"(?<![\w.]){c}(?![\w.])", text)}
    assert not leftover, [
        text[max(0, m.start() - 80) : m.end() + 40]
        for c in leftover
        for m in re.finditer(rf"(?<![\w.]){c}(?![\w.])", text)
    ]
    first = h.in_tenant(
        "alpha",
        lambda: PaymentEvent.select().where(PaymentEvent.intent_id == intent.id).order_by(PaymentEvent.id).first(),
    )
    assert first["created_at"].astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M") in text
    listing = _text(client.get("/console/payments").text)
    assert "部分退款" in listing and "partially_refunded" not in listing
