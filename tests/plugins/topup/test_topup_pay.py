"""Paying a top-up as a visitor or a customer: the intent and its metadata, one intent per double submit, the gateway's
return, the receipt by its own id, credited once however often the gateway notifies, history and payment links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from topup_support import find, intent_of, pay_at_gateway, start

from core.api.legacy import OutboxEvent
from core.api.payments import get_intent, posted_event_id
from plugins.topup.tables import TopUp


def topup_row(harness, tid, intent_id):
    return harness.in_tenant(tid, lambda: TopUp.select().where(TopUp.intent_id == intent_id).first())


def posted(harness, tid):
    return harness.in_tenant(tid, lambda: OutboxEvent.select().where(OutboxEvent.kind == "payment.posted"))


def test_a_visitor_tops_up_a_number_and_the_legacy_system_is_told_once(world):
    harness, plugin, ids = world
    client = harness.client("alpha")
    number = ids["alpha"]["numbers"]["holder"]
    assert find(client, number).status_code == 200
    intent_id = intent_of(start(client, number, amount="5000"))
    intent = harness.in_tenant("alpha", get_intent, intent_id)
    assert (intent.purpose, intent.owner, intent.amount_fen, intent.customer_id, intent.state) == (
        "topup",
        "topup",
        5000,
        "",
        "pending",
    )
    assert intent.metadata == {"number": number, "account": number}  # no account tier: the number is its account
    assert "13900000001" in intent.subject
    row = topup_row(harness, "alpha", intent_id)
    assert (row["state"], row["holder_masked"], row["holder_id"], row["paid_at"]) == (
        "started",
        "张*明",
        ids["alpha"]["holder"].legacy_id,
        None,
    )
    assert len(row["receipt_id"]) == 24 and row["receipt_id"] not in intent_id

    for _ in range(3):  # the gateway notifies again and again: credited exactly once
        assert pay_at_gateway(plugin, client, intent_id).text == "success"
    events = posted(harness, "alpha")
    assert len(events) == 1 and events[0]["event_id"] == posted_event_id("alpha", intent_id)
    assert events[0]["payload"]["purpose"] == "topup" and events[0]["payload"]["metadata"] == intent.metadata
    assert events[0]["payload"]["amount_fen"] == 5000
    paid = topup_row(harness, "alpha", intent_id)
    assert paid["state"] == "paid" and paid["paid_at"] is not None

    checkout = plugin.gateway("alpha").checkouts[-1]
    back = client.get(urlsplit(checkout.return_url).path)  # the gateway sends the payer back (signed link)
    assert back.status_code == 200 and 'data-state="succeeded"' in back.text
    link = re.search(r'href="(/topup/receipt/[^"]+)"', back.text).group(1)
    assert link == f"/topup/receipt/{row['receipt_id']}"
    receipt = harness.client("alpha").get(link)  # anyone with the link: the payer may have no session
    assert receipt.status_code == 200 and 'data-state="succeeded"' in receipt.text
    text = receipt.text
    assert number in text and "张*明" in text and "¥50.00" in text and "张三明" not in text
    assert plugin.gateway("alpha").trades[intent_id].trade_no in text
    assert receipt.headers["referrer-policy"] == "no-referrer"
    assert harness.client("alpha").get("/topup/receipt/" + "x" * 24).status_code == 404


def test_a_double_submit_reaches_the_same_payment_and_a_new_form_a_new_one(world):
    harness, plugin, ids = world
    client = harness.client("alpha")
    number = ids["alpha"]["numbers"]["second"]
    first = intent_of(start(client, number, amount="3000", attempt="same-form-01"))
    assert intent_of(start(client, number, amount="3000", attempt="same-form-01")) == first
    assert intent_of(start(client, number, amount="3000", attempt="other-form-2")) != first
    assert harness.in_tenant("alpha", lambda: TopUp.count().where(TopUp.number == number)) == 2
    pay_at_gateway(plugin, client, first)
    again = start(client, number, amount="3000", attempt="same-form-01")  # the paid form posted again: not paid twice
    assert again.status_code == 409 and 'data-state="succeeded"' in again.text


def test_a_late_payment_of_a_canceled_top_up_is_still_credited(world):
    harness, plugin, ids = world
    client = harness.client("alpha")
    intent_id = intent_of(start(client, ids["alpha"]["numbers"]["holder"], amount="10000"))
    gateway = plugin.gateway("alpha")
    gateway.trades[intent_id].status = "canceled"
    client.post("/pay/notify/fake", gateway.notification(intent_id), csrf=False)
    assert harness.in_tenant("alpha", get_intent, intent_id).state == "canceled"
    assert pay_at_gateway(plugin, client, intent_id).text == "success"  # the money was taken after all
    assert topup_row(harness, "alpha", intent_id)["state"] == "paid" and len(posted(harness, "alpha")) == 1


def test_a_customer_sees_top_ups_of_their_numbers_and_those_they_paid(world):
    harness, plugin, ids = world
    holder_client = harness.client("alpha")
    stranger = harness.client("alpha")
    customer = harness.client("alpha")
    customer.login_customer(ids["alpha"]["numbers"]["customer"])
    onto_customer = intent_of(start(stranger, ids["alpha"]["numbers"]["customer"], amount="3000"))  # a visitor pays
    by_customer = intent_of(start(customer, ids["alpha"]["numbers"]["holder"], amount="5000"))  # the customer pays
    unrelated = intent_of(start(holder_client, ids["alpha"]["numbers"]["second"], amount="10000"))
    for intent_id in (onto_customer, by_customer, unrelated):
        pay_at_gateway(plugin, stranger, intent_id)
    assert harness.in_tenant("alpha", get_intent, by_customer).customer_id == ids["alpha"]["customer"].legacy_id

    history = customer.get("/topup/history")
    assert history.status_code == 200
    rows = re.findall(r'<tr class="topup-row" data-payment="(\w+)"', history.text)
    assert sorted(rows) == sorted([onto_customer, by_customer])
    assert "Someone else" in history.text or "他人" in history.text
    paid_by_me = customer.get("/pay/history").text  # the core's payment history links to the top-up's receipt
    receipt = topup_row(harness, "alpha", by_customer)["receipt_id"]
    assert f"/topup/receipt/{receipt}" in paid_by_me
    assert customer.get(f"/pay/return/{by_customer}").status_code == 200  # the payer's own session, no token
    assert stranger.get(f"/pay/return/{onto_customer}").status_code == 404

    home = customer.get("/")
    assert 'action="/topup/find"' in home.text and 'href="/topup/"' in home.text
    assert ids["alpha"]["numbers"]["customer"] in customer.get("/topup/").text  # their numbers, one click each
    visitor_home = harness.client("alpha").get("/")
    assert 'action="/topup/find"' in visitor_home.text and 'href="/topup/"' in visitor_home.text


def test_without_a_payment_provider_the_payer_is_told(world):
    harness, plugin, ids = world
    plugin.gateway("alpha").down = True
    client = harness.client("alpha")
    refused = start(client, ids["alpha"]["numbers"]["holder"])
    assert refused.status_code == 503  # the gateway is down: the core's "try again later" page, never a 500
