"""Operators: bill payments by number, the core payments console (search, ledger, refunds with core.payments.refund)."""

from __future__ import annotations

from billpay_support import bill_id, customer_client
from test_billpay_pay import intent_of, pay_at_gateway, section

from core.api.payments import get_intent
from core.api.testing import field_errors
from core.payments.ledger import history


def paid(world, mode="all", tid="alpha"):
    harness, plugin, ids = world
    client = customer_client(harness, ids, tid)
    intent_id = intent_of(client.post("/billpay/pay", {"number": ids[tid]["numbers"][0], "mode": mode}))
    pay_at_gateway(harness, plugin, client, intent_id, tid)
    return client, intent_id


def operator(harness, who, tid="alpha"):
    client = harness.client(tid)
    client.login_operator(f"{tid}-{who}")
    return client


def test_bill_payments_by_number_and_the_invoice_pdf_for_operators(world):
    harness, _, ids = world
    customer, intent_id = paid(world)
    assert customer.post(f"/billpay/invoice/{intent_id}", {"kind": "personal", "title": "张三"}).status_code == 303
    clerk = operator(harness, "clerk")
    number = ids["alpha"]["numbers"][0]
    page = clerk.get("/billpay/console", params={"number": number})
    assert page.status_code == 200 and page.text.count(f'data-payment="{intent_id}"') == 2  # two bills, one payment
    assert bill_id("alpha", number, "2024-04") in page.text and "/billpay/console/invoice/" in page.text
    assert clerk.get("/billpay/console", params={"number": "13900000000"}).status_code == 200
    pdf = clerk.get(f"/billpay/console/invoice/{intent_id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert clerk.get("/billpay/console/invoice/nosuch/pdf").status_code == 404
    plain = operator(harness, "plain")
    assert plain.get("/billpay/console", params={"number": number}).status_code == 403
    assert plain.get(f"/billpay/console/invoice/{intent_id}/pdf").status_code == 403
    assert (
        operator(harness, "clerk", "beta").get(f"/billpay/console/invoice/{intent_id}/pdf").status_code == 404
    )  # other tenant


def test_payments_search_and_a_payments_page_with_its_ledger(world):
    harness, _, ids = world
    _, intent_id = paid(world)
    clerk = operator(harness, "clerk")
    customer_id = ids["alpha"]["customer"].legacy_id
    for params in (
        {},
        {"number": ids["alpha"]["numbers"][0]},
        {"customer": customer_id},
        {"intent": intent_id},
        {"state": "succeeded"},
        {"from": "2020-01-01", "to": "2099-12-31"},
    ):
        r = clerk.get("/console/payments", params=params)
        assert r.status_code == 200 and f'data-payment="{intent_id}"' in r.text, params
    for params in (
        {"number": ids["alpha"]["other"].numbers[0].number},
        {"state": "refunded"},
        {"intent": "nosuch"},
        {"to": "2000-01-01"},
    ):
        assert f'data-payment="{intent_id}"' not in clerk.get("/console/payments", params=params).text, params
    bad = clerk.get("/console/payments", params={"from": "2024-13-45"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    assert clerk.get("/console/payments", params={"state": "nonsense"}).status_code == 200
    for page in ("x", "²", "9" * 23):  # not a page number: a 400 that says so (core.web.numbers.query_int)
        assert clerk.get("/console/payments", params={"page": page}).status_code == 400, page
    page = clerk.get(f"/console/payments/{intent_id}")
    assert (
        page.status_code == 200 and 'data-state="succeeded"' in page.text and page.text.count('class="ledger-row"') >= 3
    )
    assert "/refund" not in page.text  # the clerk may not refund: no form
    assert clerk.get("/console/payments/nosuch").status_code == 404
    assert operator(harness, "plain").get("/console/payments").status_code == 403
    assert operator(harness, "clerk", "beta").get(f"/console/payments/{intent_id}").status_code == 404


def test_refunds_need_the_permission_and_show_in_the_ledger(world):
    harness, plugin, ids = world
    _, intent_id = paid(world)  # ¥139.85
    clerk = operator(harness, "clerk")
    assert clerk.post(f"/console/payments/{intent_id}/refund", {"amount": "1.00", "reason": "x"}).status_code == 403
    assert harness.in_tenant("alpha", get_intent, intent_id).refunded_fen == 0
    cashier = operator(harness, "cashier")
    page = cashier.get(f"/console/payments/{intent_id}").text
    assert f"/console/payments/{intent_id}/refund" in page
    r = cashier.post(f"/console/payments/{intent_id}/refund", {"amount": "10.05", "reason": "多收了"})
    assert r.status_code == 303 and r.headers["location"].endswith("?refund=succeeded")
    assert 'id="payment-notice"' in cashier.get(r.headers["location"]).text
    intent = harness.in_tenant("alpha", get_intent, intent_id)
    assert (intent.refunded_fen, intent.state) == (1005, "partially_refunded")
    assert sum(plugin.gateway("alpha").trades[intent_id].refunds.values()) == 1005
    page = cashier.get(f"/console/payments/{intent_id}").text
    assert 'class="refund"' in page and "多收了" in page and "¥10.05" in page
    kinds = [e["kind"] for e in harness.in_tenant("alpha", history, intent_id)]
    assert "refund" in " ".join(kinds)
    from core.audit import AuditLog

    audit = harness.in_tenant("alpha", lambda: AuditLog.select().where(AuditLog.action == "payment.refund"))
    assert len(audit) == 1 and audit[0]["actor"] == "alpha-cashier" and audit[0]["object_id"] == intent_id


def test_an_over_refund_or_a_malformed_amount_is_refused_with_a_clear_message(world):
    harness, _, ids = world
    _, intent_id = paid(world, tid="beta")  # English: ¥139.85
    cashier = operator(harness, "cashier", "beta")
    r = cashier.post(f"/console/payments/{intent_id}/refund", {"amount": "139.86", "reason": "too much"})
    assert r.status_code == 400 and field_errors(r.text) == ["At most ¥139.85 can be refunded."]
    for amount in ("abc", "1.234", "-5", "0", "1e3", "12,5.0.1", "²", "1.²", "١٢", "9" * 30):  # "²".isdigit() is True
        r = cashier.post(f"/console/payments/{intent_id}/refund", {"amount": amount, "reason": "x"})
        assert r.status_code == 400 and field_errors(r.text) == ["Enter an amount in yuan, e.g. 12.30."], amount
    r = cashier.post(f"/console/payments/{intent_id}/refund", {"amount": "", "reason": ""})
    assert r.status_code == 400 and len(field_errors(r.text)) == 2
    assert (
        cashier.post(f"/console/payments/{intent_id}/refund", {"amount": "139.85", "reason": "all"}).status_code == 303
    )
    r = cashier.post(f"/console/payments/{intent_id}/refund", {"amount": "0.01", "reason": "again"})
    assert r.status_code == 409 and "Nothing is left to refund on this payment." in r.text
    assert harness.in_tenant("beta", get_intent, intent_id).state == "refunded"
    owed = section(customer_client(harness, ids, "beta").get("/billpay/").text, ids["beta"]["numbers"][0])
    assert "¥139.85" in owed and "posting" not in owed  # refunded in full: its bills are owed again
    assert cashier.post("/console/payments/nosuch/refund", {"amount": "1", "reason": "x"}).status_code == 404
