"""Billing accounts through the customer and bill syncs and the reconciliations (SQLite, or PostgreSQL)."""

from __future__ import annotations

import pytest
from account_support import AccountsLegacy, bill, customer
from legacy_support import SECRET, make_tenant

from core.auth.tables import BillingAccount, ServiceNumber
from core.legacy.billing_sync import retry_quarantined, sync_billing
from core.legacy.billing_tables import Bill, BillItem, Quarantine
from core.legacy.change_reconcile import reconcile_changes
from core.legacy.customer_sync import sync_customers, upsert_customer
from core.legacy.ports import LegacyAccount
from core.legacy.reconcile import reconcile_kind
from core.tenancy import tenant_scope

pytestmark = pytest.mark.usefixtures("hall_db")
JOINT = LegacyAccount("A1", "C1", "张三家庭", "postpaid")


@pytest.fixture
def tenant(tmp_path):
    return make_tenant("acc", tmp_path / "acc")


@pytest.fixture
def legacy() -> AccountsLegacy:
    """C1: account A1 paying two numbers (合账) and a number without an account; C2: accounts derived from its numbers."""
    return AccountsLegacy(
        customers=[
            customer(1, {"13900000001": "A1", "13900000002": "A1", "057188880001": ""}, (JOINT,), name="张三"),
            customer(2, {"13900000021": "B7", "13900000022": "B8"}, name="李四"),
        ]
    )


async def accounts(tenant) -> dict[str, tuple]:
    with tenant_scope(tenant):
        rows = await BillingAccount.select().order_by(BillingAccount.legacy_id)
    return {r["legacy_id"]: (r["customer_legacy_id"], r["name"], r["billing"], r["status"]) for r in rows}


async def number_accounts(tenant) -> dict[str, str]:
    with tenant_scope(tenant):
        return {r["number"]: r["account_legacy_id"] for r in await ServiceNumber.select()}


async def quarantined(tenant, kind: str) -> dict[str, str]:
    with tenant_scope(tenant):
        rows = await Quarantine.select().where((Quarantine.kind == kind) & Quarantine.resolved_at.is_null())
    return {r["legacy_id"]: r["reason"] for r in rows}


async def test_accounts_and_the_numbers_they_pay_for_are_synced(tenant, legacy):
    result = await sync_customers(tenant, legacy, secret=SECRET)
    assert (result.created, result.accounts_created, result.quarantined) == (2, 3, 0)
    assert await accounts(tenant) == {
        "A1": ("C1", "张三家庭", "postpaid", "active"),
        "B7": ("C2", "李四", "postpaid", "active"),  # derived: named after the owner
        "B8": ("C2", "李四", "postpaid", "active"),
    }
    assert await number_accounts(tenant) == {
        "13900000001": "A1",
        "13900000002": "A1",
        "057188880001": "",
        "13900000021": "B7",
        "13900000022": "B8",
    }
    again = await sync_customers(tenant, legacy, secret=SECRET, full=True)
    assert (again.fetched, again.written) == (2, 0)


async def test_changed_and_vanished_accounts_follow_the_legacy_system(tenant, legacy):
    await sync_customers(tenant, legacy, secret=SECRET)
    prepaid = LegacyAccount("A1", "C1", "张三家庭", "prepaid", "suspended")
    legacy.touch("C1", accounts=(prepaid,))
    legacy.touch("C2", numbers=customer(2, {"13900000021": "B7", "13900000022": "B7"}).numbers)
    result = await sync_customers(tenant, legacy, secret=SECRET)
    assert (result.accounts_updated, result.accounts_removed, result.numbers_updated) == (1, 1, 1)
    assert await accounts(tenant) == {
        "A1": ("C1", "张三家庭", "prepaid", "suspended"),
        "B7": ("C2", "李四", "postpaid", "active"),
    }
    assert (await number_accounts(tenant))["13900000022"] == "B7"


async def test_a_derived_account_never_takes_over_a_payers_account(tenant, legacy):
    await sync_customers(tenant, legacy, secret=SECRET)
    legacy.customers.append(customer(3, {"13900000031": "A1"}, name="王五"))  # C1 pays for C3's line
    result = await sync_customers(tenant, legacy, secret=SECRET)
    assert result.created == 1 and result.accounts_created == 0
    assert (await accounts(tenant))["A1"] == ("C1", "张三家庭", "postpaid", "active")
    assert (await number_accounts(tenant))["13900000031"] == "A1"
    check = await reconcile_changes(tenant, legacy, "customers", secret=SECRET)
    assert (check.compared, check.repaired) == (3, 0), check


async def test_an_unusable_account_quarantines_its_customer_with_the_reason(tenant, legacy):
    legacy.customers[0] = customer(1, {"13900000001": "A1"}, (LegacyAccount("A1", "C1", billing="credit"),))
    legacy.customers.append(customer(4, {"13900000041": "A4"}, (LegacyAccount("A4", "C9"),)))
    result = await sync_customers(tenant, legacy, secret=SECRET)
    assert result.quarantined == 2
    reasons = await quarantined(tenant, "customers")
    assert "account A1: billing 'credit' is not one of postpaid, prepaid" in reasons["C1"]
    assert "account A4 belongs to customer 'C9'" in reasons["C4"]


async def test_an_unstamped_account_change_counts_as_a_change_of_its_customer(tenant, legacy):
    await sync_customers(tenant, legacy, secret=SECRET)
    clean = await reconcile_changes(tenant, legacy, "customers", secret=SECRET)
    assert (clean.compared, clean.repaired) == (2, 0), clean
    legacy.quiet("C1", accounts=(LegacyAccount("A1", "C1", "张三家庭", "prepaid"),))
    assert (await sync_customers(tenant, legacy, secret=SECRET)).written == 0  # the stamp did not move
    repaired = await reconcile_changes(tenant, legacy, "customers", secret=SECRET)
    assert (repaired.changed, repaired.repaired) == (1, 1), repaired
    assert (await accounts(tenant))["A1"][2] == "prepaid"


async def test_a_customer_gone_upstream_closes_its_accounts(tenant, legacy):
    await sync_customers(tenant, legacy, secret=SECRET)
    legacy.customers = legacy.customers[:1]
    result = await reconcile_kind(tenant, legacy, "customers", force=True)
    assert result.removed == 1
    assert {k: v[3] for k, v in (await accounts(tenant)).items()} == {"A1": "active", "B7": "closed", "B8": "closed"}


async def test_a_live_look_up_stores_the_accounts_too(tenant, legacy):
    assert await upsert_customer(tenant, legacy.customers[0], secret=SECRET) == "created"
    assert list(await accounts(tenant)) == ["A1"]


async def stored_bills(tenant) -> dict[str, tuple]:
    with tenant_scope(tenant):
        bills = {r["legacy_id"]: r for r in await Bill.select()}
        items = await BillItem.select().order_by(BillItem.position)
    return {
        i: (
            b["number"],
            b["account_legacy_id"],
            [(t["number"], t["amount_fen"]) for t in items if t["bill_legacy_id"] == i],
        )
        for i, b in bills.items()
    }


async def test_account_bills_carry_the_account_and_their_items_the_numbers(tenant, legacy):
    await sync_customers(tenant, legacy, secret=SECRET)
    legacy.bills = [
        bill("K1", account="A1", items={"13900000001": 3000, "13900000002": 2000}, n=1),
        bill("K2", number="13900000021", n=2),  # per number: gets the number's account
        bill("K3", number="057188880001", n=3),  # a number without an account
        bill("K4", account="A9", items={"13900000001": 100}, n=4),  # no such account
        bill("K5", number="13900000022", account="B8", n=5),
    ]
    result = await sync_billing(tenant, legacy, "bills")
    assert (result.written, result.quarantined) == (4, 1)
    assert await stored_bills(tenant) == {
        "K1": ("", "A1", [("13900000001", 3000), ("13900000002", 2000)]),
        "K2": ("13900000021", "B7", [("13900000021", 5000)]),
        "K3": ("057188880001", "", [("057188880001", 5000)]),
        "K5": ("13900000022", "B8", [("13900000022", 5000)]),
    }
    reason = (await quarantined(tenant, "bills"))["K4"]
    assert "bill of account 'A9' (no number): the hall holds no such account" in reason
    check = await reconcile_changes(tenant, legacy, "bills", secret=SECRET)
    assert (check.compared, check.repaired, check.quarantined) == (5, 0, 1), check
    legacy.customers.append(customer(9, {"13900000091": "A9"}))  # the account arrives: the retry takes the bill
    await sync_customers(tenant, legacy, secret=SECRET)
    retried = await retry_quarantined(tenant, "bills", legacy)
    assert retried.resolved == 1 and (await stored_bills(tenant))["K4"][1] == "A9"


async def test_without_accounts_bills_of_an_account_are_quarantined_and_number_bills_kept(tenant, legacy):
    legacy.customers = [customer(5, {"13900000051": ""})]
    await sync_customers(tenant, legacy, secret=SECRET)
    legacy.bills = [bill("N1", number="13900000051", n=1), bill("N2", account="X1", n=2), bill("N3", n=3)]
    result = await sync_billing(tenant, legacy, "bills")
    assert (result.written, result.quarantined) == (1, 2)
    assert (await stored_bills(tenant))["N1"][:2] == ("13900000051", "")
    reasons = await quarantined(tenant, "bills")
    assert "account 'X1'" in reasons["N2"] and "empty number and no account" in reasons["N3"]
