"""Amounts owed per number, paying one month or all (one intent per double submit), receipt, history, what stays owed."""

from __future__ import annotations

import re

from billpay_support import bill_id, customer_client

from core.api.legacy import OutboxEvent
from core.api.payments import get_intent


def intent_of(response) -> str:
    assert response.status_code == 303, response.text[:500]
    return response.headers["location"].rsplit("/", 1)[-1]


def section(html: str, number: str) -> str:
    return re.search(rf'data-number="{number}".*?</section>', html, re.S).group(0)


def pay_at_gateway(harness, plugin, client, intent_id, tid="alpha"):
    gateway = plugin.gateway(tid)
    gateway.pay(intent_id)
    assert client.post("/pay/notify/fake", gateway.notification(intent_id), csrf=False).text == "success"


def test_the_owed_page_lists_open_bills_per_number_with_totals(world):
    harness, _, ids = world
    client = customer_client(harness, ids)
    r = client.get("/billpay/")
    assert r.status_code == 200
    first, second = ids["alpha"]["numbers"]
    assert f'data-number="{first}"' in r.text and f'data-number="{second}"' in r.text
    assert ids["alpha"]["other"].numbers[0].number not in r.text
    assert (
        f'data-bill="{bill_id("alpha", first, "2024-04")}"' in r.text
        and f'data-bill="{bill_id("alpha", first, "2024-03")}"' not in r.text
    )
    assert "¥40.65" in r.text and "¥99.20" in r.text and "¥139.85" in r.text  # 8130 - 4065, 9920, the total


def test_pay_one_month_then_a_double_submit_gives_the_same_intent(world):
    harness, plugin, ids = world
    client = customer_client(harness, ids)
    number = ids["alpha"]["numbers"][0]
    form = {"number": number, "bill": bill_id("alpha", number, "2024-05"), "mode": "selected"}
    first = intent_of(client.post("/billpay/pay", form))
    assert intent_of(client.post("/billpay/pay", form)) == first
    intent = harness.in_tenant("alpha", get_intent, first)
    assert (intent.amount_fen, intent.owner, intent.state) == (9920, "billpay", "pending")
    assert intent.metadata["bills"] == [
        {"bill_id": bill_id("alpha", number, "2024-05"), "month": "2024-05", "amount_fen": 9920, "paid_before_fen": 0}
    ]
    assert len(plugin.gateway("alpha").trades) == 1
    pay_at_gateway(harness, plugin, client, first)
    owed = section(client.get("/billpay/").text, number)
    assert f'class="posting" data-bill="{bill_id("alpha", number, "2024-05")}"' in owed  # paid here, being posted
    assert "¥40.65" in owed and "¥139.85" not in owed
    receipt = client.get(f"/billpay/receipt/{first}")
    assert receipt.status_code == 200 and 'data-state="succeeded"' in receipt.text and "¥99.20" in receipt.text
    assert plugin.gateway("alpha").trades[first].trade_no in receipt.text
    history = client.get("/pay/history").text
    assert f"/billpay/receipt/{first}" in history
    assert f'data-payment="{first}"' in history and "2024-05" in history
    posted = harness.in_tenant("alpha", lambda: OutboxEvent.select().where(OutboxEvent.kind == "payment.posted"))
    assert [p["payload"]["metadata"]["bills"][0]["bill_id"] for p in posted] == [bill_id("alpha", number, "2024-05")]
    again = client.post("/billpay/pay", form)  # the same bill once more: refused with a message, no new payment
    assert again.status_code == 409 and "pay-notice" in again.text


def test_pay_all_owed_of_a_number_in_one_payment(world):
    harness, plugin, ids = world
    client = customer_client(harness, ids)
    number = ids["alpha"]["numbers"][1]
    intent_id = intent_of(client.post("/billpay/pay", {"number": number, "mode": "all"}))
    intent = harness.in_tenant("alpha", get_intent, intent_id)
    assert intent.amount_fen == 4065 + 9920 and [b["month"] for b in intent.metadata["bills"]] == ["2024-04", "2024-05"]
    pay_at_gateway(harness, plugin, client, intent_id)
    mine = section(client.get("/billpay/").text, number)
    assert "pay-all" not in mine and "posting" in mine
