"""Refunds and invoices: an invoice is net of earlier refunds; a later refund gets exactly one red-letter note, shown and downloadable."""

from __future__ import annotations

import asyncio

import pytest
from billpay_support import bill_id, build, customer_client
from test_billpay_invoice import paid_payment, pdf_text

from core.api.legacy import BillItem
from core.api.payments import get_intent, refund
from plugins.billpay import invoice as invoices
from plugins.billpay.credit import notes_of, on_refund
from plugins.billpay.issuing import issue_pending
from plugins.billpay.tables import CreditNote, Invoice

RATES = {"invoice_tax_rates": {"YZF": 9, "SWF": 6}, "invoice_prefix": "TS"}


@pytest.fixture
def world(hall_factory):
    world = build(hall_factory, RATES)
    harness, _, ids = world
    for tid in ("alpha", "beta"):
        number = ids[tid]["numbers"][0]
        harness.in_tenant(
            tid,
            BillItem.insert,
            BillItem(
                legacy_id=f"{bill_id(tid, number, '2024-05')}/1",
                bill_legacy_id=bill_id(tid, number, "2024-05"),
                position=1,
                code="YZF",
                name="月租费",
                amount_fen=5000,
            ),
            BillItem(
                legacy_id=f"{bill_id(tid, number, '2024-05')}/2",
                bill_legacy_id=bill_id(tid, number, "2024-05"),
                position=2,
                code="SWF",
                name="上网流量费",
                amount_fen=4920,
            ),
        )
    return world


def refund_of(harness, intent_id, amount, tid="alpha"):
    rid, state = harness.in_tenant(tid, refund, harness.hall, intent_id, amount, reason="多收了", operator="test")
    assert state == "succeeded"
    return rid


def row(harness, table, intent_id, tid="alpha"):
    return harness.in_tenant(tid, lambda: table.select().where(table.intent_id == intent_id).first())


def test_an_invoice_is_net_of_refunds_made_before_it_with_tax_per_line(world):
    harness, _, _ = world
    client, intent_id = paid_payment(world)
    refund_of(harness, intent_id, 1005)
    assert client.post(f"/billpay/invoice/{intent_id}", {"kind": "personal", "title": "张三"}).status_code == 303
    invoice = row(harness, Invoice, intent_id)
    assert (invoice["amount_fen"], invoice["paid_fen"], invoice["refunded_before_fen"], invoice["state"]) == (
        8915,
        9920,
        1005,
        "issued",
    )
    lines = invoice["lines"]
    # 9920 over 5000 (9 %) and 4920 (6 %), then shrunk to 8915 by the largest remainder
    assert [(x["name"], x["rate"], x["amount_fen"]) for x in lines] == [
        ("月租费", "9", 4493),
        ("上网流量费", "6", 4422),
    ]
    assert sum(x["amount_fen"] for x in lines) == invoice["amount_fen"] == invoice["net_fen"] + invoice["tax_fen"]
    assert [x["tax_fen"] for x in lines] == [371, 250] and invoice["tax_fen"] == 621
    assert invoice["invoice_no"] == "TS0000000001" and invoice["provider_no"] and len(invoice["verify_code"]) == 20
    text = pdf_text(client.get(f"/billpay/invoice/{intent_id}/pdf").content)
    for shown in (
        "测试电信有限公司",
        "91330106MA27XK8C3E",
        "TS0000000001",
        invoice["provider_no"],
        "月租费",
        "9%",
        "3.71",
        "2.50",
        "6.21",
        "¥89.15",
        "10.05",
    ):
        assert shown in text, shown
    assert harness.in_tenant("alpha", CreditNote.count) == 0  # a refund before the invoice needs no red letter


def test_a_refund_after_invoicing_gets_one_red_letter_note_seen_by_customer_and_operator(world):
    harness, _, ids = world
    client, intent_id = paid_payment(world)
    assert (
        client.post(
            f"/billpay/invoice/{intent_id}",
            {"kind": "company", "title": "杭州测试科技有限公司", "tax_number": "91330106MA27XK8C3E"},
        ).status_code
        == 303
    )
    invoice = row(harness, Invoice, intent_id)
    assert (
        invoice["amount_fen"] == 9920 and invoice["tax_fen"] == 413 + 278
    )  # 5000/1.09 → 4587 + 413; 4920/1.06 → 4642 + 278
    rid = refund_of(harness, intent_id, 2000)
    [note] = harness.in_tenant("alpha", notes_of, intent_id)
    assert (note["refund_id"], note["original_no"], note["amount_fen"], note["state"]) == (
        rid,
        invoice["invoice_no"],
        -2000,
        "pending",
    )
    assert note["invoice_no"] == "TS0000000002" and note["net_fen"] + note["tax_fen"] == -2000
    assert [x["amount_fen"] for x in note["lines"]] == [-1008, -992]  # 2000 in proportion to 5000 : 4920
    # the hook again for the same refund (a retried refund) adds nothing
    intent = harness.in_tenant("alpha", get_intent, intent_id)
    settings = harness.tenant("alpha").plugin_settings("billpay")
    assert (
        harness.in_tenant("alpha", on_refund, intent, {"refund_id": rid, "amount_fen": 2000, "reason": "x"}, settings)
        is False
    )
    assert harness.in_tenant("alpha", CreditNote.count) == 1
    assert harness.in_tenant("alpha", issue_pending, harness.hall) == 1  # the job issues it
    page = client.get(f"/billpay/invoice/{intent_id}").text
    assert 'data-credit-note="TS0000000002"' in page and "-20.00" in page
    pdf = client.get(f"/billpay/invoice/{intent_id}/credit/TS0000000002/pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.content)
    assert "红字" in text and invoice["invoice_no"] in text and "¥-20.00" in text and "杭州测试科技有限公司" in text
    clerk = harness.client("alpha")
    clerk.login_operator("alpha-clerk")
    console = clerk.get(f"/billpay/console/invoice/{intent_id}")
    assert console.status_code == 200 and "TS0000000002" in console.text and rid in console.text
    assert clerk.get(f"/billpay/console/invoice/{intent_id}/credit/TS0000000002/pdf").status_code == 200
    refund_of(harness, intent_id, 7920)  # the rest: a second note reverses what is left, line by line
    notes = harness.in_tenant("alpha", notes_of, intent_id)
    assert [n["amount_fen"] for n in notes] == [-2000, -7920]
    assert [
        a + b + c
        for a, b, c in zip(
            [x["amount_fen"] for x in invoice["lines"]], *[[x["amount_fen"] for x in n["lines"]] for n in notes]
        )
    ] == [0, 0]
    other = customer_client(harness, ids, "beta")
    assert other.get(f"/billpay/invoice/{intent_id}/credit/TS0000000002/pdf").status_code == 404  # another tenant's


def test_an_invoice_asked_while_a_refund_settles_counts_the_refund_once(world):
    """Concurrent: the refund is either netted from the invoice or reversed by a note, never neither nor both."""
    harness, _, _ = world
    _, intent_id = paid_payment(world)
    tenant = harness.tenant("alpha")
    settings = tenant.plugin_settings("billpay")

    async def both():
        intent = await get_intent(intent_id)
        ask = invoices.request(
            intent,
            {"kind": "personal", "title": "张三", "tax_number": ""},
            settings,
            seller_name="s",
            fallback_name="x",
        )
        return await asyncio.gather(ask, refund(harness.hall, intent_id, 1500, reason="r", operator="t"))

    (_, created), (_, state) = harness.in_tenant("alpha", both)
    assert created and state == "succeeded"
    invoice = row(harness, Invoice, intent_id)
    notes = harness.in_tenant("alpha", notes_of, intent_id)
    assert invoice["amount_fen"] + sum(n["amount_fen"] for n in notes) == 9920 - 1500
    assert (invoice["refunded_before_fen"], len(notes)) in ((1500, 0), (0, 1))
