"""core.legacy.accounts: a customer's accounts, the account of a number, an account's numbers (SQLite or PostgreSQL)."""

from __future__ import annotations

import pytest
from legacy_support import make_tenant

from core.api.legacy import AccountLine, account_by_id, account_of_number, accounts_of_customer, numbers_of_account
from core.auth.tables import BillingAccount, Customer, ServiceNumber
from core.tenancy import tenant_scope

pytestmark = pytest.mark.usefixtures("hall_db")


def customer(legacy_id: str, name: str) -> Customer:
    return Customer(legacy_id=legacy_id, name=name, id_hash="h" + legacy_id, id_masked="1101**********0011")


@pytest.fixture
async def tenants(tmp_path):
    """Tenant "a": customer C1 with account A1 paying two numbers (合账), a number without an account, and
    a number paid by C2's account A2; tenant "b" holds an account A1 of its own."""
    a, b = make_tenant("a", tmp_path / "a"), make_tenant("b", tmp_path / "b")
    with tenant_scope(a):
        await Customer.insert(customer("C1", "张三"), customer("C2", "某公司"))
        await BillingAccount.insert(
            BillingAccount(legacy_id="A1", customer_legacy_id="C1", name="张三", billing="postpaid"),
            BillingAccount(legacy_id="A2", customer_legacy_id="C2", name="某公司", billing="prepaid"),
        )
        await ServiceNumber.insert(
            ServiceNumber(number="13900000002", customer_legacy_id="C1", account_legacy_id="A1"),
            ServiceNumber(number="13900000001", customer_legacy_id="C1", account_legacy_id="A1", status="suspended"),
            ServiceNumber(number="057188880001", customer_legacy_id="C1", kind="broadband"),
            ServiceNumber(number="13900000003", customer_legacy_id="C1", account_legacy_id="A2"),
            ServiceNumber(number="13900000009", customer_legacy_id="C2", account_legacy_id="A2"),
        )
    with tenant_scope(b):
        await Customer.insert(customer("C9", "李四"))
        await BillingAccount.insert(BillingAccount(legacy_id="A1", customer_legacy_id="C9", name="李四"))
        await ServiceNumber.insert(ServiceNumber(number="18900000001", customer_legacy_id="C9", account_legacy_id="A1"))
    return a, b


async def test_accounts_of_a_customer_with_their_numbers_in_order(tenants):
    a, _ = tenants
    with tenant_scope(a):
        accounts = await accounts_of_customer("C1")
    assert [(x.legacy_id, x.customer_legacy_id, x.own) for x in accounts] == [
        ("057188880001", "C1", True),
        ("A1", "C1", False),
        ("A2", "C2", False),
    ]
    own, joint, paid_by_other = accounts
    assert (own.name, own.billing, own.numbers[0].kind) == ("张三", "postpaid", "broadband")
    assert joint.numbers == (
        AccountLine("13900000001", "C1", "phone", "suspended"),
        AccountLine("13900000002", "C1", "phone", "active"),
    )
    # the other customer's account lists only this customer's numbers on it
    assert (paid_by_other.billing, [n.number for n in paid_by_other.numbers]) == ("prepaid", ["13900000003"])


async def test_an_owner_sees_every_number_of_its_account(tenants):
    a, _ = tenants
    with tenant_scope(a):
        (account,) = await accounts_of_customer("C2")
    assert [n.number for n in account.numbers] == ["13900000003", "13900000009"]


async def test_account_of_a_number_and_the_number_as_its_own_account(tenants):
    a, _ = tenants
    with tenant_scope(a):
        joint = await account_of_number("13900000002")
        own = await account_of_number("057188880001")
        unknown = await account_of_number("13000000000")
        own_numbers = await numbers_of_account("057188880001")
        by_id = await account_by_id("057188880001")
    assert (joint.legacy_id, [n.number for n in joint.numbers]) == ("A1", ["13900000001", "13900000002"])
    assert (own.legacy_id, own.own, own.name, [n.number for n in own.numbers]) == (
        "057188880001",
        True,
        "张三",
        ["057188880001"],
    )
    assert unknown is None and by_id == own
    assert [n.number for n in own_numbers] == ["057188880001"]


async def test_queries_stay_inside_the_tenant(tenants):
    a, b = tenants
    with tenant_scope(a):
        numbers_a = await numbers_of_account("A1")
        none = await account_by_id("A9")
        empty = await numbers_of_account("A9")
    with tenant_scope(b):
        numbers_b = await numbers_of_account("A1")
        account_b = await account_by_id("A1")
        unknown_in_b = await account_of_number("13900000001")
    assert [n.number for n in numbers_a] == ["13900000001", "13900000002"]
    assert [n.number for n in numbers_b] == ["18900000001"]
    assert (account_b.customer_legacy_id, account_b.name) == ("C9", "李四")
    assert none is None and empty == [] and unknown_in_b is None


async def test_an_account_numbers_point_at_before_it_is_synced(tenants):
    a, _ = tenants
    with tenant_scope(a):
        await ServiceNumber.insert(ServiceNumber(number="13900000077", customer_legacy_id="C2", account_legacy_id="A7"))
        account = await account_of_number("13900000077")
    assert (account.legacy_id, account.customer_legacy_id, account.name, account.own) == ("A7", "C2", "某公司", False)
