"""Change reconciliation: rows the incremental sync missed are found by comparing every row, repaired once, even across a crash."""

from __future__ import annotations

import datetime as dt

import pytest
from change_support import close_line, pay_bill, state, watermark_time
from legacy_support import SECRET

from core.auth.tables import Customer, ServiceNumber
from core.legacy.billing_sync import sync_billing
from core.legacy.billing_tables import Bill, BillItem
from core.legacy.change_reconcile import reconcile_changes
from core.legacy.customer_sync import sync_customers
from core.legacy.tables import ChangeReconcileRun
from core.testing.conformance_hall import snapshot
from core.tenancy import tenant_scope

pytestmark = pytest.mark.usefixtures("hall_db")
OLD = dt.timedelta(hours=5)  # further back than the default look-back


async def _unpaid(tenant, n: int) -> list[str]:
    with tenant_scope(tenant):
        rows = await Bill.select(Bill.legacy_id).where(Bill.status == "unpaid").order_by(Bill.legacy_id)
    ids = [r["legacy_id"] for r in rows]
    step = max(1, len(ids) // n)
    return ids[::step][:n]  # spread over the key order, so over several chunks


async def _statuses(tenant, ids: list[str]) -> set[str]:
    with tenant_scope(tenant):
        return {r["status"] for r in await Bill.select(Bill.status).where(Bill.legacy_id.is_in(ids))}


async def test_a_change_stamped_before_the_look_back_is_repaired_and_reported(billing):
    await sync_customers(billing.tenant, billing.connector, secret=SECRET)
    await sync_billing(billing.tenant, billing.connector, "bills")
    (bill,) = await _unpaid(billing.tenant, 1)
    pay_bill(billing, bill, await watermark_time(billing, "bills") - OLD)
    assert (
        await sync_billing(billing.tenant, billing.connector, "bills")
    ).written == 0  # the incremental sync misses it
    result = await reconcile_changes(billing.tenant, billing.connector, "bills", secret=SECRET, chunk=50)
    assert (result.changed, result.missing, result.deleted, result.repaired) == (1, 0, 0, 1), result
    assert result.compared == billing.count_bills() and not result.resumed
    assert await _statuses(billing.tenant, [bill]) == {"paid"}
    row = await state(billing, "bills")
    assert row["changes_checked_at"] is not None and row["changes_repaired"] == 1
    again = await reconcile_changes(billing.tenant, billing.connector, "bills", secret=SECRET)
    assert (again.repaired, again.compared) == (0, result.compared)
    assert (await state(billing, "bills"))["changes_repaired"] == 0


async def test_a_line_closed_upstream_and_a_bill_the_hall_lost_are_repaired(billing):
    await sync_customers(billing.tenant, billing.connector, secret=SECRET)
    await sync_billing(billing.tenant, billing.connector, "bills")
    with tenant_scope(billing.tenant):
        line = (
            await ServiceNumber.select().where(ServiceNumber.status == "active").order_by(ServiceNumber.number).first()
        )
        lost = (await Bill.select(Bill.legacy_id).order_by(Bill.legacy_id).first())["legacy_id"]
        await BillItem.delete().where(BillItem.bill_legacy_id == lost)
        await Bill.delete().where(Bill.legacy_id == lost)
    close_line(billing, line["number"])  # the customer's change stamp is untouched: no incremental sync would see it
    customers = await reconcile_changes(billing.tenant, billing.connector, "customers", secret=SECRET, chunk=30)
    assert (customers.changed, customers.missing) == (1, 0), customers
    bills = await reconcile_changes(billing.tenant, billing.connector, "bills", secret=SECRET, chunk=30)
    assert (bills.changed, bills.missing) == (0, 1), bills
    with tenant_scope(billing.tenant):
        assert (await ServiceNumber.select(ServiceNumber.status).where(ServiceNumber.number == line["number"]).first())[
            "status"
        ] == "closed"
        assert await Bill.exists().where(Bill.legacy_id == lost) and await BillItem.exists().where(
            BillItem.bill_legacy_id == lost
        )
        assert await Customer.count() > 0


async def test_deletions_are_reported_with_the_repairs(billing):
    await sync_billing(billing.tenant, billing.connector, "bills")
    s = billing.config["bills"]
    (gone,) = billing.sql(f"SELECT {s['key']} FROM {s['table']} ORDER BY {s['key']} LIMIT 1")[0]
    billing.sql(f"DELETE FROM {s['table']} WHERE {s['key']} = ?", gone)
    result = await reconcile_changes(billing.tenant, billing.connector, "bills", secret=SECRET)
    assert (result.deleted, result.changed, result.missing, result.note) == (1, 0, 0, "")


async def test_a_crash_mid_run_then_a_rerun_repairs_everything_once(billing, monkeypatch):
    await sync_customers(billing.tenant, billing.connector, secret=SECRET)
    await sync_billing(billing.tenant, billing.connector, "bills")
    bills = await _unpaid(billing.tenant, 5)
    mark = await watermark_time(billing, "bills")
    for bill in bills:
        pay_bill(billing, bill, mark - OLD)
    listing, calls = billing.connector.legacy_ids, 0

    async def dies_after_three_chunks(kind, cursor, limit):
        nonlocal calls
        calls += 1
        if calls > 3:
            raise ConnectionError("legacy system went away")
        return await listing(kind, cursor, limit)

    monkeypatch.setattr(billing.connector, "legacy_ids", dies_after_three_chunks)
    with pytest.raises(ConnectionError):
        await reconcile_changes(billing.tenant, billing.connector, "bills", secret=SECRET, chunk=10)
    with tenant_scope(billing.tenant):
        cut = await ChangeReconcileRun.select().first()
    assert cut["finished_at"] is None and cut["chunks"] == 3 and cut["compared"] == 30 and "went away" in cut["note"]
    with tenant_scope(billing.tenant):
        paid_so_far = await Bill.count().where(Bill.legacy_id.is_in(bills) & (Bill.status == "paid"))
    assert cut["changed"] == paid_so_far < len(bills)  # what the committed chunks repaired, counted with them
    monkeypatch.setattr(billing.connector, "legacy_ids", listing)
    result = await reconcile_changes(billing.tenant, billing.connector, "bills", secret=SECRET, chunk=10)
    assert result.resumed and result.changed == len(bills) and result.missing == 0, result
    assert result.compared == billing.count_bills()  # every row once: the rerun continued after the third chunk
    assert await _statuses(billing.tenant, bills) == {"paid"}
    with tenant_scope(billing.tenant):
        assert await ChangeReconcileRun.count() == 1
    before = await snapshot(billing.tenant)
    again = await reconcile_changes(billing.tenant, billing.connector, "bills", secret=SECRET, chunk=10)
    assert (again.repaired, again.resumed) == (0, False)
    assert await snapshot(billing.tenant) == before


async def test_a_kind_is_due_when_never_run_cut_short_or_its_interval_has_passed(billing):
    from core.legacy.sync_jobs import changes_due

    now = dt.datetime(2026, 1, 10, 3, 0, tzinfo=dt.timezone.utc)
    with tenant_scope(billing.tenant):
        assert await changes_due("bills", 24, now)  # never run
        await ChangeReconcileRun.insert(
            ChangeReconcileRun(
                kind="bills", started_at=now - dt.timedelta(hours=23), finished_at=now - dt.timedelta(hours=22)
            )
        )
        assert not await changes_due("bills", 24, now)
        assert await changes_due("bills", 24, now + dt.timedelta(hours=1))  # a tick a few seconds early still counts
        assert await changes_due("bills", 12, now)
        await ChangeReconcileRun.insert(ChangeReconcileRun(kind="bills", started_at=now - dt.timedelta(minutes=5)))
        assert await changes_due("bills", 24, now)  # cut short: continue it


async def test_the_sync_page_columns_warn_about_repairs_and_overdue_runs(billing):
    from core.legacy.routes_sync import _changes

    now = dt.datetime(2026, 1, 10, 3, 0, tzinfo=dt.timezone.utc)
    fresh = {"finished_at": now - dt.timedelta(hours=20), "changed": 2, "missing": 1, "deleted": 0}
    columns = _changes(billing.tenant, billing.connector, "bills", fresh, now)
    assert (columns["look_back"], columns["look_back_applies"], columns["scheduled"]) == (120, True, True)
    assert (columns["check_repaired"], columns["check_overdue"]) == (3, False)
    stale = {**fresh, "finished_at": now - dt.timedelta(hours=49), "changed": 0, "missing": 0}
    assert (
        _changes(billing.tenant, billing.connector, "bills", stale, now)["check_overdue"],
        _changes(billing.tenant, billing.connector, "bills", None, now)["check_overdue"],
    ) == (True, True)
    calls = _changes(billing.tenant, billing.connector, "calls", None, now)
    assert (calls["look_back_applies"], calls["scheduled"], calls["check_overdue"]) == (
        False,
        False,
        False,
    )  # not in change_check_kinds
