"""What the customer chooses: nothing ticked is a question, not "pay everything"; one row's own button; past-due bills; the bill page's way here."""

from __future__ import annotations

from billpay_support import BILLS, bill_id, customer_client, seed_bills
from test_billpay_pay import intent_of, section

from core.api.payments import PaymentIntent, get_intent
from core.api.testing import FakePaymentPlugin, TenantSpec, make_customer, register_customer


def test_paying_the_ticked_months_with_none_ticked_asks_and_pays_nothing(world):
    harness, plugin, ids = world
    client = customer_client(harness, ids)
    number = ids["alpha"]["numbers"][0]
    r = client.post("/billpay/pay", {"number": number, "mode": "selected"})
    assert r.status_code == 400 and 'id="pay-notice"' in r.text and "请勾选要缴费的月份" in r.text
    assert harness.in_tenant("alpha", lambda: PaymentIntent.count()) == 0 and not plugin.gateway("alpha").trades
    english = customer_client(harness, ids, "beta")
    r = english.post("/billpay/pay", {"number": ids["beta"]["numbers"][0], "mode": "selected"})
    assert r.status_code == 400 and "Tick the months you want to pay" in r.text


def test_a_rows_own_button_pays_that_month_only(world):
    harness, _, ids = world
    client = customer_client(harness, ids)
    number = ids["alpha"]["numbers"][0]
    page = section(client.get("/billpay/").text, number)
    assert f'name="only" value="{bill_id("alpha", number, "2024-04")}"' in page and "¥40.65" in page
    intent = harness.in_tenant(
        "alpha",
        get_intent,
        intent_of(
            client.post(
                "/billpay/pay",
                {
                    "number": number,
                    "only": bill_id("alpha", number, "2024-04"),
                    "bill": bill_id("alpha", number, "2024-05"),
                },
            )
        ),
    )
    assert [b["bill_id"] for b in intent.metadata["bills"]] == [
        bill_id("alpha", number, "2024-04")
    ] and intent.amount_fen == 4065


def test_past_due_bills_are_marked_by_the_tenants_date(world):
    harness, _, ids = world
    number = ids["alpha"]["numbers"][0]
    harness.in_tenant(
        "alpha", seed_bills, number, "fresh", (("2099-01", 500, 0, "unpaid"),)
    )  # due in 2099: not past due
    client = customer_client(harness, ids)
    html = section(client.get("/billpay/").text, number)
    rows = {
        m: html.split(f'data-bill="{bid}"', 1)[1].split("</tr>", 1)[0]
        for m, bid in (("2024-05", bill_id("alpha", number, "2024-05")), ("2099-01", f"fresh-{number}-2099-01"))
    }
    assert "已逾期" in rows["2024-05"] and "已逾期" not in rows["2099-01"]


def test_the_bill_page_offers_to_pay_an_owed_bill_and_ticks_it_here(hall_factory):
    plugin = FakePaymentPlugin()
    spec = TenantSpec("alpha", plugins=["bills", "billpay"], payments={"providers": ["fake"]})
    harness = hall_factory([spec], extra_plugins={"fakepay": plugin})
    customer = make_customer(7, numbers=("13933330001",), phone="13933330001")
    register_customer(harness, "alpha", customer)
    harness.in_tenant("alpha", seed_bills, "13933330001", "alpha", BILLS)
    client = harness.client("alpha")
    client.login_customer("13933330001")
    unpaid = client.get("/bills/13933330001/2024-05").text
    target = f"/billpay/?bill={bill_id('alpha', '13933330001', '2024-05')}"
    assert target in unpaid and "缴纳本期账单" in unpaid and "已逾期" in unpaid
    assert "/billpay/?bill=" not in client.get("/bills/13933330001/2024-03").text  # paid in full: nothing to offer
    owed = client.get(target).text
    row = owed.split(f'data-bill="{bill_id("alpha", "13933330001", "2024-05")}"', 1)[1].split("</tr>", 1)[0]
    assert 'class="chosen"' in owed and " checked" in row
