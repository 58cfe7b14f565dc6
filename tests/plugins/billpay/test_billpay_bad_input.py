"""Someone else's number or payment is 404 (never their data); malformed input is a clear message, never a 500."""

from __future__ import annotations

from billpay_support import bill_id, customer_client
from test_billpay_pay import intent_of, pay_at_gateway


def test_another_customers_number_and_payment_are_404(world):
    harness, plugin, ids = world
    mine = customer_client(harness, ids)
    other_number = ids["alpha"]["other"].numbers[0].number
    assert mine.post("/billpay/pay", {"number": other_number, "mode": "all"}).status_code == 404
    assert (
        mine.post("/billpay/pay", {"number": ids["beta"]["numbers"][0], "mode": "all"}).status_code == 404
    )  # another tenant's
    assert not plugin.gateway("alpha").trades
    theirs = harness.client("alpha")
    theirs.login_customer(other_number)
    intent_id = intent_of(theirs.post("/billpay/pay", {"number": other_number, "mode": "all"}))
    pay_at_gateway(harness, plugin, theirs, intent_id)
    assert theirs.post(f"/billpay/invoice/{intent_id}", {"kind": "personal", "title": "李四"}).status_code == 303
    for path in (f"/billpay/receipt/{intent_id}", f"/billpay/invoice/{intent_id}", f"/billpay/invoice/{intent_id}/pdf"):
        r = mine.get(path)
        assert r.status_code == 404 and other_number not in r.text and "李四" not in r.text, path
    r = mine.post(f"/billpay/invoice/{intent_id}", {"kind": "personal", "title": "我"})
    assert r.status_code == 404
    assert f'data-payment="{intent_id}"' not in mine.get("/pay/history").text
    beta = customer_client(harness, ids, "beta")
    assert beta.get(f"/billpay/receipt/{intent_id}").status_code == 404  # another tenant
    assert mine.get("/billpay/receipt/nosuchpayment").status_code == 404
    assert mine.get("/billpay/receipt/" + "x" * 500).status_code == 404


def test_a_bill_of_another_number_or_nonsense_is_a_message(world):
    harness, plugin, ids = world
    client = customer_client(harness, ids)
    first, second = ids["alpha"]["numbers"]
    for bills in (
        [bill_id("alpha", second, "2024-05")],
        [bill_id("alpha", first, "2024-03")],
        ["<script>"],
        ["x" * 5000],
    ):
        r = client.post("/billpay/pay", {"number": first, "bill": bills})
        assert r.status_code == 409 and 'id="pay-notice"' in r.text, bills
    assert (
        client.post("/billpay/pay", {"number": first, "bill": [bill_id("alpha", first, "2024-05")] * 3}).status_code
        == 303
    )
    for form in ({}, {"number": ""}, {"number": "x" * 10000}, {"number": first, "mode": "weird"}):
        r = client.post("/billpay/pay", form)
        assert r.status_code in (303, 400, 404, 409), (form, r.status_code)


def test_nothing_owed_is_a_message(world):
    harness, plugin, ids = world
    client = customer_client(harness, ids)
    number = ids["alpha"]["numbers"][0]
    pay_at_gateway(harness, plugin, client, intent_of(client.post("/billpay/pay", {"number": number, "mode": "all"})))
    r = client.post("/billpay/pay", {"number": number, "mode": "all"})
    assert r.status_code == 409 and number in r.text and 'id="pay-notice"' in r.text


def test_a_changed_choice_cancels_the_open_payment_of_the_same_bills(world):
    harness, plugin, ids = world
    client = customer_client(harness, ids)
    number = ids["alpha"]["numbers"][0]
    one = intent_of(client.post("/billpay/pay", {"number": number, "bill": bill_id("alpha", number, "2024-05")}))
    everything = intent_of(client.post("/billpay/pay", {"number": number, "mode": "all"}))
    assert one != everything and plugin.gateway("alpha").trades[one].status == "canceled"
    again = intent_of(client.post("/billpay/pay", {"number": number, "bill": bill_id("alpha", number, "2024-05")}))
    assert again not in (one, everything)  # the first was canceled: a new attempt


def test_anonymous_and_operators_cannot_reach_customer_pages(world):
    harness, _, ids = world
    anonymous = harness.client("alpha")
    r = anonymous.get("/billpay/", follow_redirects=False)
    assert r.status_code in (302, 303, 401, 403)
    assert anonymous.get("/billpay/receipt/x", follow_redirects=False).status_code in (302, 303, 401, 403)
    assert anonymous.post("/billpay/pay", {"number": ids["alpha"]["numbers"][0]}).status_code in (302, 303, 401, 403)


def test_no_provider_switched_on_is_a_message_not_a_500(hall_factory):
    from billpay_support import seed_bills

    from core.api.testing import TenantSpec, make_customer, register_customer

    harness = hall_factory([TenantSpec("alpha", plugins=["billpay"])])
    customer = make_customer(99, numbers=("13933330001",), phone="13933330001")
    register_customer(harness, "alpha", customer)
    harness.in_tenant("alpha", seed_bills, "13933330001", "alpha")
    client = harness.client("alpha")
    client.login_customer("13933330001")
    assert client.get("/billpay/").status_code == 200
    r = client.post("/billpay/pay", {"number": "13933330001", "mode": "all"})
    assert r.status_code == 409 and 'id="pay-notice"' in r.text


def test_an_earlier_payment_paid_at_the_gateway_is_settled_not_canceled(world):
    harness, plugin, ids = world
    client = customer_client(harness, ids)
    number = ids["alpha"]["numbers"][0]
    one = intent_of(client.post("/billpay/pay", {"number": number, "bill": bill_id("alpha", number, "2024-05")}))
    plugin.gateway("alpha").pay(one)  # paid; the notification has not arrived yet
    r = client.post("/billpay/pay", {"number": number, "mode": "all"})
    assert r.status_code == 409 and 'id="pay-notice"' in r.text
    from core.api.payments import get_intent

    assert harness.in_tenant("alpha", get_intent, one).state == "succeeded"
    assert len(plugin.gateway("alpha").trades) == 1  # no second payment of the same bill
    assert (
        intent_of(client.post("/billpay/pay", {"number": number, "mode": "all"})) != one
    )  # what is still owed: 2024-04
