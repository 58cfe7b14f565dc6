"""Reconciliation: rows deleted upstream leave the hall, customers are closed, the safety valve holds, the calls window is respected."""

from __future__ import annotations

import pytest
from legacy_support import SECRET

from core.auth.tables import Customer, ServiceNumber
from core.legacy.billing_sync import sync_billing
from core.legacy.billing_tables import Bill, BillItem, CallRecord, Quarantine
from core.legacy.customer_sync import sync_customers
from core.legacy.reconcile import LegacyIdSource, reconcile_kind
from core.legacy.tables import ReconcileSeen, SyncState
from core.tenancy import tenant_scope

pytestmark = pytest.mark.usefixtures("hall_db")


async def sync_all(billing) -> None:
    await sync_customers(billing.tenant, billing.connector, secret=SECRET)
    for kind in ("bills", "calls"):
        await sync_billing(billing.tenant, billing.connector, kind)


async def counts(tenant) -> dict:
    with tenant_scope(tenant):
        return {t.__name__: await t.count() for t in (Customer, Bill, BillItem, CallRecord)}


async def state(tenant, kind: str) -> dict:
    with tenant_scope(tenant):
        return await SyncState.select().where(SyncState.kind == kind).first()


async def test_nothing_deleted_upstream_removes_nothing(billing):
    await sync_all(billing)
    before = await counts(billing.tenant)
    assert isinstance(billing.connector, LegacyIdSource)
    for kind, held in (("customers", "Customer"), ("bills", "Bill"), ("calls", "CallRecord")):
        result = await reconcile_kind(
            billing.tenant, billing.connector, kind, page_size=7
        )  # many pages, composite keys too
        assert (result.listed, result.gone, result.removed, result.refused) == (before[held], 0, 0, ""), result
        row = await state(billing.tenant, kind)
        assert row["reconciled_at"] is not None and row["reconcile_removed"] == 0 and row["reconcile_note"] == ""
    assert await counts(billing.tenant) == before
    with tenant_scope(billing.tenant):
        assert await ReconcileSeen.count() == 0  # the scratch list is emptied


async def test_bills_deleted_upstream_go_with_their_items(billing):
    await sync_all(billing)
    table, key = billing.config["bills"]["table"], billing.config["bills"]["key"]
    items = billing.config["bill_items"]
    (gone,) = billing.sql(f"SELECT {key} FROM {table} ORDER BY {key} LIMIT 1")[0]
    billing.sql(f"DELETE FROM {items['table']} WHERE {items['bill_key']} = ?", gone)
    billing.sql(f"DELETE FROM {table} WHERE {key} = ?", gone)
    before = await counts(billing.tenant)
    with tenant_scope(billing.tenant):
        await Quarantine.insert(Quarantine(kind="bills", legacy_id=str(gone), reason="bad month", first_seen=None))
    result = await reconcile_kind(billing.tenant, billing.connector, "bills")
    assert (result.gone, result.removed) == (1, 1)
    with tenant_scope(billing.tenant):
        assert not await Bill.exists().where(Bill.legacy_id == str(gone))
        assert not await BillItem.exists().where(BillItem.bill_legacy_id == str(gone))
        assert await Bill.count() == before["Bill"] - 1 and await BillItem.count() < before["BillItem"]
        assert await Quarantine.count().where(Quarantine.resolved_at.is_null()) == 0  # can never be fixed: resolved
    assert (await state(billing.tenant, "bills"))["reconcile_removed"] == 1
    again = await reconcile_kind(billing.tenant, billing.connector, "bills")
    assert (again.gone, again.removed) == (0, 0)


async def test_the_safety_valve_refuses_a_mass_removal_unless_forced(billing):
    await sync_all(billing)
    before = await counts(billing.tenant)
    billing.sql(f"DELETE FROM {billing.config['bills']['table']}")  # an empty table handed back by mistake
    refused = await reconcile_kind(billing.tenant, billing.connector, "bills")
    assert refused.refused and refused.removed == 0 and refused.gone == before["Bill"]
    assert "--force" in refused.refused
    assert await counts(billing.tenant) == before
    row = await state(billing.tenant, "bills")
    assert row["reconcile_note"] == refused.refused and row["reconciled_at"] is None
    forced = await reconcile_kind(billing.tenant, billing.connector, "bills", force=True)
    assert forced.removed == before["Bill"] and not forced.refused
    with tenant_scope(billing.tenant):
        assert await Bill.count() == 0 and await BillItem.count() == 0
        assert await CallRecord.count() == before["CallRecord"]  # other kinds untouched
    row = await state(billing.tenant, "bills")
    assert row["reconcile_note"] == "" and row["reconcile_removed"] == before["Bill"]


async def test_the_share_is_a_tenant_setting(make_billing):
    billing = make_billing("haibin", 20, months=1)
    await sync_all(billing)
    ids = billing.sql("SELECT BILL_ID FROM ACC_BILL ORDER BY BILL_ID LIMIT 3")
    for (bill_id,) in ids:
        billing.sql("DELETE FROM ACC_BILL WHERE BILL_ID = ?", bill_id)
    assert (await reconcile_kind(billing.tenant, billing.connector, "bills")).refused  # 3 of 20 > 5%
    result = await reconcile_kind(billing.tenant, billing.connector, "bills", max_share=0.2)
    assert (result.removed, result.refused) == (3, "")


async def test_customers_gone_upstream_are_closed_never_deleted(make_billing):
    billing = make_billing("jiangnan", 40, months=1)
    await sync_all(billing)
    (gone,) = billing.sql("SELECT KHBH FROM KH_KHXX ORDER BY KHBH LIMIT 1")[0]
    billing.sql("DELETE FROM YW_HMXX WHERE KHBH = ?", gone)
    billing.sql("DELETE FROM KH_KHXX WHERE KHBH = ?", gone)
    before = await counts(billing.tenant)
    with tenant_scope(billing.tenant):
        closed_before = await Customer.count().where(Customer.status == "closed")
    result = await reconcile_kind(billing.tenant, billing.connector, "customers")
    assert (result.gone, result.removed) == (1, 1)
    assert await counts(billing.tenant) == before  # nothing deleted
    with tenant_scope(billing.tenant):
        customer = await Customer.select().where(Customer.legacy_id == str(gone)).first()
        numbers = await ServiceNumber.select().where(ServiceNumber.customer_legacy_id == str(gone))
        others = await Customer.count().where(Customer.status == "closed")
    assert customer["status"] == "closed" and numbers and {n["status"] for n in numbers} == {"closed"}
    assert others == closed_before + 1
    again = await reconcile_kind(billing.tenant, billing.connector, "customers")
    assert (again.held, again.gone) == (before["Customer"] - others, 0)  # closed customers are not counted again


async def test_calls_older_than_the_window_are_left_alone(make_billing):
    billing = make_billing("jiangnan", 30, months=2)
    await sync_all(billing)  # both monthly tables
    old_table, new_table = [
        r[0] for r in billing.sql("SELECT name FROM sqlite_master WHERE name LIKE 'HD_%' ORDER BY name")
    ]
    (old_gone,) = billing.sql(f"SELECT LSH FROM {old_table} ORDER BY LSH LIMIT 1")[0]
    (new_gone,) = billing.sql(f"SELECT LSH FROM {new_table} ORDER BY KSSJ DESC LIMIT 1")[0]
    billing.sql(f"DELETE FROM {old_table} WHERE LSH = ?", old_gone)
    billing.sql(f"DELETE FROM {new_table} WHERE LSH = ?", new_gone)
    narrow = billing.connect(calls={"months": 1})  # the window now holds only the newest table
    before = await counts(billing.tenant)
    result = await reconcile_kind(billing.tenant, narrow, "calls")
    assert (result.gone, result.removed) == (1, 1)
    assert result.held < before["CallRecord"] - 1  # the older month was not even compared
    with tenant_scope(billing.tenant):
        assert not await CallRecord.exists().where(CallRecord.legacy_id == f"{new_table[3:]}-{new_gone}")
        assert await CallRecord.exists().where(
            CallRecord.legacy_id == f"{old_table[3:]}-{old_gone}"
        )  # retention's business
    wide = await reconcile_kind(billing.tenant, billing.connector, "calls")  # the full window sees the old one gone too
    assert (wide.gone, wide.removed) == (1, 1)


async def test_a_row_synced_while_the_listing_runs_is_not_taken_for_deleted(make_billing):
    billing = make_billing("haibin", 20, months=1)
    await sync_all(billing)

    class SyncMeanwhile:  # the scheduled sync stores a new bill between two pages of the listing
        def __init__(self, real):
            self.real, self.done = real, False

        def reconcilable_kinds(self):
            return self.real.reconcilable_kinds()

        async def legacy_ids(self, kind, cursor, limit):
            page = await self.real.legacy_ids(kind, cursor, limit)
            if not self.done:
                self.done = True
                await Bill.insert(Bill(legacy_id="NEW-1", number="13800000000", month="2024-05"))
            return page

    result = await reconcile_kind(billing.tenant, SyncMeanwhile(billing.connector), "bills", page_size=5)
    assert (result.gone, result.removed) == (0, 0)
    with tenant_scope(billing.tenant):
        assert await Bill.exists().where(Bill.legacy_id == "NEW-1")
