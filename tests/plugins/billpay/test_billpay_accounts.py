"""Bill payment per billing account (合账): what an account owes, paying it once for the account, its balance."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from billpay_support import SELLER, link, seed_bills
from test_billpay_pay import intent_of, pay_at_gateway

from core.api.legacy import Bill, LegacyBalance
from core.api.payments import get_intent
from core.api.testing import FakePaymentPlugin, TenantSpec, add_billing_account, make_customer, register_customer
from core.legacy.billing_tables import Balance
from core.payments.tables import PaymentClaim
from plugins.billpay.tables import BillPayment

AS_OF = dt.datetime(2024, 6, 1, 1, 0, tzinfo=dt.timezone.utc)  # 09:00 in Shanghai


async def seed_account(account: str, c: str) -> None:
    """ACC1's own bills (April partly paid, May unpaid) and a bill of its number C on its own."""
    await Bill.insert(
        Bill(
            legacy_id=f"{account}-2024-04",
            number="",
            account_legacy_id=account,
            month="2024-04",
            amount_fen=9000,
            paid_fen=3000,
            status="partial",
            due_date=dt.date(2024, 5, 15),
        ),
        Bill(
            legacy_id=f"{account}-2024-05",
            number="",
            account_legacy_id=account,
            month="2024-05",
            amount_fen=9502,
            status="unpaid",
            due_date=dt.date(2024, 6, 15),
        ),
        Bill(legacy_id=f"{c}-2024-05", number=c, month="2024-05", amount_fen=1234, status="unpaid"),
    )


@pytest.fixture
def world(hall_factory):
    plugin = FakePaymentPlugin()
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["billpay"],
                payments={"providers": ["fake"]},
                plugin_settings={"billpay": SELLER},
                connector={"type": "fake", "balances": True},
            )
        ],
        extra_plugins={"fakepay": plugin},
    )
    me = make_customer(30, numbers=("13600000001", "13600000002", "13600000003"))
    other = make_customer(31, numbers=("13600000009",))
    login = register_customer(harness, "alpha", me)
    register_customer(harness, "alpha", other)
    a, b, c = (x.number for x in me.numbers)
    harness.in_tenant("alpha", link, login, b)
    add_billing_account(harness, "alpha", "ACC1", numbers=(a, c), customer_legacy_id=me.legacy_id, name="家庭合账")
    harness.in_tenant("alpha", seed_account, "ACC1", c)
    harness.in_tenant("alpha", seed_bills, b, "alpha")
    bss = harness.connectors["alpha"]
    bss.balances["ACC1"] = LegacyBalance("ACC1", -15502, AS_OF, "postpaid")
    bss.balances[b] = LegacyBalance(b, 12000, AS_OF, "prepaid")
    client = harness.client("alpha")
    client.login_customer(a)
    return harness, plugin, client, {"numbers": (a, b, c), "other": other}


def card(html: str, attribute: str) -> str:
    return re.search(rf"{attribute}.*?</section>", html, re.S).group(0)


def test_the_account_owes_its_own_bills_and_its_numbers_once_with_its_balance(world):
    harness, _, client, ids = world
    a, b, c = ids["numbers"]
    html = client.get("/billpay/").text
    account = card(html, 'data-account="ACC1"')
    assert re.findall(r'<tr data-bill="([^"]+)"', account) == ["ACC1-2024-04", "ACC1-2024-05", f"{c}-2024-05"]
    assert f"{a}, {c}" in account and "家庭合账" in account and "整个账户" in account
    assert "¥167.36" in account  # 6000 + 9502 + 1234
    assert "欠费 ¥155.02" in account and 'datetime="2024-06-01T09:00+08:00"' in account
    own = card(html, f'data-number="{b}"')
    assert "¥120.00" in own and "¥139.85" in own  # prepaid credit; its own bills as before
    assert f'data-number="{a}"' not in html and f'data-number="{c}"' not in html
    assert 'id="pay-ACC1"' in html


def test_paying_everything_the_account_owes_is_one_payment_naming_each_bill_and_its_number(world):
    harness, plugin, client, ids = world
    _, _, c = ids["numbers"]
    client.get("/billpay/")  # the balance is read and cached
    intent_id = intent_of(client.post("/billpay/pay", {"account": "ACC1", "mode": "all"}))
    intent = harness.in_tenant("alpha", get_intent, intent_id)
    assert intent.amount_fen == 6000 + 9502 + 1234
    assert (intent.metadata["number"], intent.metadata["account"]) == ("", "ACC1")
    assert [(x["bill_id"], x["number"], x["amount_fen"]) for x in intent.metadata["bills"]] == [
        ("ACC1-2024-04", "", 6000),
        ("ACC1-2024-05", "", 9502),
        (f"{c}-2024-05", c, 1234),
    ]
    claims = harness.in_tenant("alpha", lambda: PaymentClaim.select(PaymentClaim.item).order_by(PaymentClaim.item))
    assert sorted(x["item"] for x in claims) == sorted(
        ["bill:ACC1-2024-04@3000", "bill:ACC1-2024-05@0", f"bill:{c}-2024-05@0"]
    )  # one claim per bill: an account's bill is claimed once, whoever pays it
    pay_at_gateway(harness, plugin, client, intent_id)
    rows = harness.in_tenant("alpha", lambda: BillPayment.select().order_by(BillPayment.bill_legacy_id))
    assert sorted((r["bill_legacy_id"], r["number"], r["paid_after_fen"]) for r in rows) == sorted(
        [("ACC1-2024-04", "", 9000), ("ACC1-2024-05", "", 9502), (f"{c}-2024-05", c, 1234)]
    )
    cached = harness.in_tenant("alpha", lambda: Balance.select().where(Balance.account_legacy_id == "ACC1").first())
    assert cached["fetched_at"] is None and cached["balance_fen"] == -15502  # asked again next time
    account = card(client.get("/billpay/").text, 'data-account="ACC1"')
    assert "pay-all" not in account and "posting" in account
    receipt = client.get(f"/billpay/receipt/{intent_id}").text
    assert "整个账户" in receipt and "ACC1" in receipt and "¥167.36" in receipt


def test_an_account_bill_paid_alone_is_not_paid_again_with_the_rest(world):
    harness, plugin, client, ids = world
    _, _, c = ids["numbers"]
    first = intent_of(client.post("/billpay/pay", {"account": "ACC1", "only": "ACC1-2024-05"}))
    pay_at_gateway(harness, plugin, client, first)
    rest = harness.in_tenant(
        "alpha", get_intent, intent_of(client.post("/billpay/pay", {"account": "ACC1", "mode": "all"}))
    )
    assert rest.amount_fen == 6000 + 1234 and [x["bill_id"] for x in rest.metadata["bills"]] == [
        "ACC1-2024-04",
        f"{c}-2024-05",
    ]
    again = client.post("/billpay/pay", {"account": "ACC1", "only": "ACC1-2024-05"})
    assert again.status_code == 409 and "pay-notice" in again.text


@pytest.mark.parametrize(
    "form", [{"number": "13600000001", "mode": "all"}, {"account": "ACC9", "mode": "all"}, {"mode": "all"}]
)
def test_only_the_customers_own_payers_can_be_paid(world, form):
    harness, _, client, ids = world
    other = ids["other"]
    add_billing_account(
        harness, "alpha", "ACC9", numbers=(other.numbers[0].number,), customer_legacy_id=other.legacy_id
    )
    assert client.post("/billpay/pay", form).status_code == 404


def test_a_linked_number_another_customers_account_pays_for_can_still_pay_its_own_bills(world):
    harness, _, client, ids = world
    _, b, _ = ids["numbers"]
    other = ids["other"]
    add_billing_account(harness, "alpha", "PAYER", numbers=(b,), customer_legacy_id=other.legacy_id)
    html = client.get("/billpay/").text
    assert f'data-number="{b}"' in html and "PAYER" not in html
    assert intent_of(client.post("/billpay/pay", {"number": b, "mode": "all"}))


def test_the_accounts_page_and_the_home_panel_offer_paying(world):
    _, _, client, _ = world
    page = client.get("/account/billing").text
    assert "/billpay/#pay-ACC1" in page
    home = client.get("/").text
    assert "¥307.21" in home and "家庭合账 ACC1" in home  # 16736 for ACC1 plus 13985 for B


def test_paying_a_numbers_bills_forgets_the_numbers_cached_balance(world):
    harness, plugin, client, ids = world
    _, b, _ = ids["numbers"]
    client.get("/billpay/")
    intent_id = intent_of(client.post("/billpay/pay", {"number": b, "mode": "all"}))
    intent = harness.in_tenant("alpha", get_intent, intent_id)
    assert "account" not in intent.metadata and all("number" not in x for x in intent.metadata["bills"])  # as before
    fetched = lambda: Balance.select(Balance.fetched_at).where(Balance.account_legacy_id == b).first()  # noqa: E731
    assert harness.in_tenant("alpha", fetched)["fetched_at"] is not None
    pay_at_gateway(harness, plugin, client, intent_id)
    assert harness.in_tenant("alpha", fetched)["fetched_at"] is None
