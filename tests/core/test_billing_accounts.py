"""Accounts and balances (/account/billing): which billing accounts a customer sees, their numbers, billing type and balance."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.accounts.services import billing_accounts
from core.api.legacy import LegacyBalance
from core.api.testing import TenantSpec, add_billing_account, make_customer, register_customer

AS_OF = dt.datetime(2024, 5, 31, 16, 5, tzinfo=dt.timezone.utc)  # 2024-06-01 00:05 in Shanghai


async def link(account: int, number: str) -> None:
    from core.auth.tables import AccountNumber

    await AccountNumber.insert(AccountNumber(account=account, number=number))


@pytest.fixture
def world(hall_factory):
    """alpha bills per account with balances; beta per number without a balances port. Customer 1 links A and B."""
    harness = hall_factory(
        [
            TenantSpec("alpha", connector={"type": "fake", "balances": True}),
            TenantSpec("beta", language="en", plugins=["bills"]),
        ]
    )
    ids = {}
    for n, tid in enumerate(("alpha", "beta")):
        me = make_customer(40 + n, numbers=(f"1380000{n}001", f"1380000{n}002", f"1380000{n}003"))
        other = make_customer(50 + n, numbers=(f"1380000{n}009",))
        login = register_customer(harness, tid, me)
        harness.in_tenant(tid, link, login, me.numbers[1].number)
        register_customer(harness, tid, other)
        ids[tid] = {"login": login, "me": me, "other": other, "numbers": [x.number for x in me.numbers]}
    return harness, ids


def accounts_of(harness, ids, tid="alpha"):
    return harness.in_tenant(tid, billing_accounts, ids[tid]["login"])


def client_of(harness, ids, tid="alpha"):
    client = harness.client(tid)
    client.login_customer(ids[tid]["numbers"][0])
    return client


def test_without_an_account_tier_each_linked_number_is_its_own_account(world):
    harness, ids = world
    a, b, _ = ids["beta"]["numbers"]
    got = accounts_of(harness, ids, "beta")
    assert [(x.legacy_id, x.numbers, x.own_tier) for x in got] == [(a, (a,), False), (b, (b,), False)]
    page = client_of(harness, ids, "beta").get("/account/billing")
    assert page.status_code == 200 and "Accounts and balances" in page.text
    assert f'data-account="{a}"' in page.text and f'data-account="{b}"' in page.text
    assert "Not available online" in page.text  # no balances port: no figure, no error


def test_a_combined_account_shows_all_its_numbers_once(world):
    harness, ids = world
    a, b, c = ids["alpha"]["numbers"]
    me = ids["alpha"]["me"].legacy_id
    add_billing_account(
        harness, "alpha", "ACC1", numbers=(a, c), customer_legacy_id=me, name="张三家庭", billing="prepaid"
    )
    got = accounts_of(harness, ids)
    assert [(x.legacy_id, x.numbers, x.own_tier, x.billing, x.name) for x in got] == [
        ("ACC1", (a, c), True, "prepaid", "张三家庭"),
        (b, (b,), False, "postpaid", ""),
    ]


def test_an_account_of_another_customer_paying_for_my_number_is_not_shown(world):
    harness, ids = world
    a, b, _ = ids["alpha"]["numbers"]
    other = ids["alpha"]["other"]
    add_billing_account(
        harness, "alpha", "PAYER", numbers=(b, other.numbers[0].number), customer_legacy_id=other.legacy_id
    )
    assert [x.legacy_id for x in accounts_of(harness, ids)] == [a]
    page = client_of(harness, ids).get("/account/billing").text
    assert "PAYER" not in page and other.numbers[0].number not in page


def test_an_account_known_only_from_the_lines_shows_only_my_numbers_on_it(world):
    harness, ids = world
    a, _, c = ids["alpha"]["numbers"]
    stranger = ids["alpha"]["other"].numbers[0].number
    add_billing_account(harness, "alpha", "L-77", numbers=(a, c, stranger), customer_legacy_id=None)
    first = accounts_of(harness, ids)[0]
    assert (first.legacy_id, first.numbers, first.own_tier) == ("L-77", (a, c), True)


def test_the_page_shows_balance_billing_and_data_as_of_in_the_tenants_zone(world):
    harness, ids = world
    a, b, c = ids["alpha"]["numbers"]
    add_billing_account(harness, "alpha", "ACC1", numbers=(a, c), customer_legacy_id=ids["alpha"]["me"].legacy_id)
    bss = harness.connectors["alpha"]
    bss.balances["ACC1"] = LegacyBalance("ACC1", -5830, AS_OF, "postpaid")
    bss.balances[b] = LegacyBalance(b, 12000, AS_OF, "prepaid")
    html = client_of(harness, ids).get("/account/billing").text
    row = re.search(r'data-account="ACC1".*?</tr>', html, re.S).group(0)
    assert a in row and c in row and "欠费 ¥58.30" in row and "后付费" in row
    assert 'datetime="2024-06-01T00:05+08:00"' in row and "数据更新于" in row
    own = re.search(rf'data-account="{b}".*?</tr>', html, re.S).group(0)
    assert "¥120.00" in own and "预付费" in own and "balance-stale" not in own
    assert 'class="data stack accounts"' in html


def test_a_down_bss_shows_the_last_balance_marked_and_never_an_error(world):
    harness, ids = world
    a = ids["alpha"]["numbers"][0]
    bss = harness.connectors["alpha"]
    bss.balances[a] = LegacyBalance(a, 300, AS_OF, "prepaid")
    client = client_of(harness, ids)
    assert "¥3.00" in client.get("/account/billing").text
    bss.down = True
    harness.in_tenant("alpha", _expire)
    page = client.get("/account/billing")
    assert page.status_code == 200
    row = re.search(rf'data-account="{a}".*?</tr>', page.text, re.S).group(0)
    assert "¥3.00" in row and "balance-stale" in row
    never = re.search(rf'data-account="{ids["alpha"]["numbers"][1]}".*?</tr>', page.text, re.S).group(0)
    assert "暂时无法查询余额" in never


async def _expire() -> None:
    from core.legacy.billing_tables import Balance

    await Balance.update({Balance.fetched_at: dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)}, force=True)


def test_the_page_needs_a_log_in_and_the_menu_offers_it_where_there_is_something_to_show(world, hall_factory):
    harness, ids = world
    visitor = harness.client("alpha")
    r = visitor.get("/account/billing", follow_redirects=False)
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]
    assert "/account/billing" in client_of(harness, ids).get("/").text  # balances port: in the menu
    assert "/account/billing" in client_of(harness, ids, "beta").get("/").text  # bills enabled: in the menu
    bare = hall_factory([TenantSpec("gamma")])
    assert "/account/billing" not in bare.client("gamma").get("/").text
