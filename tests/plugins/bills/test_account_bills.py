"""Bills per billing account (合账): an account's bills, narrowed to one number, and a combined bill with each number's share."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bills_support import link, seed_number

from core.api.legacy import Bill, BillItem
from core.api.testing import TenantSpec, add_billing_account, make_customer, register_customer

MONTHS = ("2024-03", "2024-04", "2024-05")


async def seed_account_bills(account: str, numbers: tuple[str, str]) -> None:
    """A combined bill per month: a monthly fee per number, calls of the first number only, an account-level fee."""
    bills, items = [], []
    for index, month in enumerate(MONTHS):
        first, second = numbers
        lines = [
            (first, "YZF", "月租费", 5800),
            (second, "YZF", "月租费", 1900),
            (first, "SHF", "市话费", 1000 + index),
        ]
        if index != 1:  # April: the second number has no charge besides its fee... and no calls
            lines.append((second, "SWF", "上网流量费", 700))
        lines.append(("", "ZHF", "账户管理费", 100))
        amount = sum(a for *_, a in lines)
        legacy = f"A-{account}-{month}"
        status = "unpaid" if month == "2024-05" else "paid"
        bills.append(
            Bill(
                legacy_id=legacy,
                number="",
                account_legacy_id=account,
                month=month,
                amount_fen=amount,
                paid_fen=0 if status == "unpaid" else amount,
                status=status,
                due_date=dt.date(2024, int(month[5:]) + 1, 15),
            )
        )
        items += [
            BillItem(
                legacy_id=f"{legacy}/{p}",
                bill_legacy_id=legacy,
                position=p,
                code=c,
                name=n,
                amount_fen=a,
                number=num,
            )
            for p, (num, c, n, a) in enumerate(lines)
        ]
    await Bill.insert(*bills)
    await BillItem.insert(*items)


@pytest.fixture
def world(hall_factory):
    """alpha: ACC1 pays for A and C (C not linked) with combined bills; B is billed per number. gamma: another customer's ACC9."""
    harness = hall_factory(
        [TenantSpec("alpha", plugins=["bills"]), TenantSpec("beta", plugins=["bills"], language="en")]
    )
    ids = {}
    for n, tid in enumerate(("alpha", "beta")):
        me = make_customer(60 + n, numbers=(f"1370000{n}001", f"1370000{n}002", f"1370000{n}003"))
        other = make_customer(65 + n, numbers=(f"1370000{n}009",))
        login = register_customer(harness, tid, me)
        register_customer(harness, tid, other)
        a, b, c = (x.number for x in me.numbers)
        harness.in_tenant(tid, link, login, b)
        add_billing_account(harness, tid, "ACC1", numbers=(a, c), customer_legacy_id=me.legacy_id, name="家庭合账")
        add_billing_account(
            harness, tid, "ACC9", numbers=(other.numbers[0].number,), customer_legacy_id=other.legacy_id
        )
        harness.in_tenant(tid, seed_account_bills, "ACC1", (a, c))
        harness.in_tenant(tid, seed_account_bills, "ACC9", (other.numbers[0].number, other.numbers[0].number))
        harness.in_tenant(tid, seed_number, b, tid, 2)
        ids[tid] = {"numbers": (a, b, c), "other": other}
    return harness, ids


def client_of(harness, ids, tid="alpha"):
    client = harness.client(tid)
    client.login_customer(ids[tid]["numbers"][0])
    return client


def rows_of(html: str) -> list[str]:
    return re.findall(r'<tr data-bill="([^"]+)"', html)


def test_an_accounts_bills_newest_first_with_links_to_the_combined_bill(world):
    harness, ids = world
    a, _, c = ids["alpha"]["numbers"]
    r = client_of(harness, ids).get("/bills/accounts/ACC1")
    assert r.status_code == 200
    assert rows_of(r.text) == ["A-ACC1-2024-05", "A-ACC1-2024-04", "A-ACC1-2024-03"]
    assert "家庭合账" in r.text and "整个账户" in r.text and a in r.text and c in r.text
    assert "/bills/accounts/ACC1/2024-05" in r.text and 'class="data stack account-bills"' in r.text
    # 2024-05: 5800 + 1900 + 1002 + 700 + 100 = 9502, unpaid
    row = re.search(r'data-bill="A-ACC1-2024-05".*?</tr>', r.text, re.S).group(0)
    assert "95.02" in row and 'class="mono owed"' in row


def test_narrowed_to_one_number_the_list_shows_its_share_of_each_combined_bill(world):
    harness, ids = world
    _, _, c = ids["alpha"]["numbers"]
    r = client_of(harness, ids).get(f"/bills/accounts/ACC1?number={c}")
    assert r.status_code == 200
    assert rows_of(r.text) == ["A-ACC1-2024-05", "A-ACC1-2024-04", "A-ACC1-2024-03"]
    shares = re.findall(r'class="mono share">([^<]*)</td>', r.text)
    assert shares == ["26.00", "19.00", "26.00"]  # fee 19.00, plus 7.00 of data except in April
    assert client_of(harness, ids).get("/bills/accounts/ACC1?number=13900000000").status_code == 404


def test_a_combined_bill_shows_the_total_and_each_numbers_share(world):
    harness, ids = world
    a, _, c = ids["alpha"]["numbers"]
    r = client_of(harness, ids).get("/bills/accounts/ACC1/2024-05")
    assert r.status_code == 200
    shares = dict(re.findall(r'<tr data-number="([^"]*)"><td[^>]*>.*?</td><td[^>]*>([^<]+)</td>', r.text, re.S))
    assert shares == {a: "68.02", c: "26.00", "": "1.00"}
    assert "¥95.02" in r.text and "账户管理费" in r.text and 'class="data stack bill-shares"' in r.text
    assert "整个账户" in r.text


def test_the_first_number_without_bills_of_its_own_shows_its_accounts_bills(world):
    harness, ids = world
    a = ids["alpha"]["numbers"][0]
    r = client_of(harness, ids).get("/bills/")
    assert r.status_code == 200 and rows_of(r.text)[0] == "A-ACC1-2024-05"
    assert f'aria-current="page">{a}</a>' in r.text  # narrowed to the number asked about


def test_a_number_billed_on_its_own_keeps_its_page_and_lists_as_its_own_account(world):
    harness, ids = world
    b = ids["alpha"]["numbers"][1]
    client = client_of(harness, ids)
    page = client.get(f"/bills/{b}/2024-05")
    assert page.status_code == 200 and 'id="bills-data"' in page.text
    listing = client.get(f"/bills/accounts/{b}")
    assert listing.status_code == 200 and f"/bills/{b}/2024-05" in listing.text and "整个账户" not in listing.text


@pytest.mark.parametrize(
    "path",
    [
        "/bills/accounts/ACC9",  # another customer's account
        "/bills/accounts/ACC9/2024-05",
        "/bills/accounts/NOPE",
        "/bills/accounts/" + "x" * 65,
        "/bills/accounts/ACC1/2024-02",  # within the months shown, but no bill
    ],
)
def test_what_is_not_the_customers_is_not_found(world, path):
    harness, ids = world
    assert client_of(harness, ids).get(path).status_code == 404


def test_a_bad_month_says_why(world):
    harness, ids = world
    client = client_of(harness, ids)
    r = client.get("/bills/accounts/ACC1/2024-13")
    assert r.status_code == 400 and "YYYY-MM" in r.text


def test_english_and_another_tenant(world):
    harness, ids = world
    r = client_of(harness, ids, "beta").get("/bills/accounts/ACC1/2024-05")
    assert r.status_code == 200 and "Each number's share" in r.text and "The whole account" in r.text
    assert "A-ACC1-2024-05" in r.text  # beta's own rows (tenant scoped: same ids, its own data)


def test_a_visitor_is_sent_to_log_in(world):
    harness, _ = world
    r = harness.client("alpha").get("/bills/accounts/ACC1", follow_redirects=False)
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]
