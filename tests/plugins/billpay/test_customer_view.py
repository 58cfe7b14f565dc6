"""The console's customer view: reached from the search, showing lines, bills, payments, requests and the call-record trail.

Tenants run bills, billpay and service together, so every section (core's and the plugins') is on the page;
sections follow the operator's permissions, another tenant's customer is not found, and each view is audited.
"""

from __future__ import annotations

import re

import pytest
from customer_view_support import build, customer_activity, operator

from core.audit import AuditLog


@pytest.fixture
def world(hall_factory):
    return build(hall_factory)


def test_an_operator_opens_a_customer_from_the_search_and_sees_everything(world):
    harness, _, ids = world
    intent_id, order = customer_activity(world)
    customer = ids["alpha"]["customer"]
    staff = operator(harness, "all")
    found = staff.get("/console/customers", params={"q": ids["alpha"]["numbers"][0]}).text
    href = re.search(r'href="([^"]*/console/customers/[^"]+)"', found).group(1)
    page = staff.get(href)
    assert page.status_code == 200
    html = page.text
    assert customer.name in html and customer.id_number not in html and customer.id_number[-4:] in html
    for number in ids["alpha"]["numbers"]:
        assert f'data-number="{number}"' in html
    assert 'class="customer-bill"' in html and "alpha-13933330001-2024-05" in html  # latest bills
    assert (
        html.count(f'data-payment="{intent_id}"') >= 2 and f"/console/payments/{intent_id}" in html
    )  # core payments + bill payments
    assert "已支付" in html and ">succeeded<" not in html  # states translated
    assert 'class="invoice-row"' in html  # the invoice asked for
    assert f'data-order="{order["number"]}"' in html and "咨询宽带" in html and "待答复" in html
    assert 'class="trail-row"' in html and "2024-05" in html  # the call-record access trail
    assert "{" not in re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)  # no raw JSON anywhere
    views = harness.in_tenant("alpha", lambda: AuditLog.select().where(AuditLog.action == "customer.view"))
    assert [(v["actor"], v["object_type"], v["object_id"]) for v in views] == [
        ("alpha-all", "customer", customer.legacy_id)
    ]


def test_sections_follow_permissions_and_tenants_stay_apart(world):
    harness, _, ids = world
    customer_activity(world)
    legacy_id = ids["alpha"]["customer"].legacy_id
    lookup = operator(harness, "lookup").get(f"/console/customers/{legacy_id}")
    assert (
        lookup.status_code == 200
        and ids["alpha"]["numbers"][0] in lookup.text
        and 'class="customer-bill"' in lookup.text
    )
    for absent in (
        'id="customer-payments"',
        'id="customer-workorders"',
        'class="trail-row"',
        'class="invoice-row"',
        "customer-billpay",
    ):
        assert absent not in lookup.text, absent
    assert operator(harness, "plain").get(f"/console/customers/{legacy_id}").status_code == 403
    assert (
        operator(harness, "all", "beta").get(f"/console/customers/{legacy_id}").status_code == 404
    )  # another tenant's customer
    assert operator(harness, "all").get("/console/customers/nosuch").status_code == 404
    views = harness.in_tenant("alpha", lambda: AuditLog.select().where(AuditLog.action == "customer.view"))
    assert [v["actor"] for v in views] == [
        "alpha-lookup"
    ]  # refused and unknown views show nothing, so nothing is recorded


def test_the_payment_page_reads_as_words_not_json_or_codes(world):
    harness, _, ids = world
    intent_id, _ = customer_activity(world)
    html = operator(harness, "all").get(f"/console/payments/{intent_id}").text
    body = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    assert "{" not in body and "}" not in body
    assert 'class="payment-metadata"' in body and "bills.1.month" in body  # metadata as key: value lines
    cells = re.findall(r'<tr class="ledger-row">(.*?)</tr>', body, re.S)
    assert cells
    for code in ("succeeded", "created", "pending", "checkout", "notification", "state"):
        assert not any(f"<td>{code}</td>" in c for c in cells), code
    assert "已支付" in body and "(billpay:" not in body  # the plugin by its name, not its code
