"""The look-back window: rows the legacy system stamps earlier than the watermark are still read, unchanged re-reads write nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

import pytest
from change_support import move_customer, pay_bill, state, touch_bill, watermark_time
from legacy_support import SECRET

from core.auth.tables import Customer
from core.config.schema import LegacySection
from core.legacy.billing_sync import sync_billing
from core.legacy.billing_tables import Bill, Quarantine
from core.legacy.customer_sync import sync_customers
from core.legacy.look_back import LookBackSource
from core.tenancy import tenant_scope
from plugins.sqlbss.look_back import _back_in_kind

pytestmark = pytest.mark.usefixtures("hall_db")
LATE = dt.timedelta(minutes=30)  # inside the default look-back of 120 minutes


async def _unpaid_bill(tenant) -> str:
    with tenant_scope(tenant):
        row = await Bill.select(Bill.legacy_id).where(Bill.status == "unpaid").order_by(Bill.legacy_id).first()
    return row["legacy_id"]


async def _synced_at(tenant, table) -> dict:
    with tenant_scope(tenant):
        return {r["legacy_id"]: r["synced_at"] for r in await table.select(table.legacy_id, table.synced_at)}


async def test_a_bill_paid_with_a_stamp_before_the_watermark_is_read_within_the_look_back(billing):
    assert isinstance(billing.connector, LookBackSource)
    await sync_billing(billing.tenant, billing.connector, "bills")
    before = await state(billing, "bills")
    bill = await _unpaid_bill(billing.tenant)
    pay_bill(billing, bill, await watermark_time(billing, "bills") - LATE)
    result = await sync_billing(billing.tenant, billing.connector, "bills")
    assert result.written == 1 and result.reread >= 1, result
    with tenant_scope(billing.tenant):
        paid = await Bill.select(Bill.status, Bill.paid_fen, Bill.amount_fen).where(Bill.legacy_id == bill).first()
    assert paid["status"] == "paid" and paid["paid_fen"] == paid["amount_fen"]
    after = await state(billing, "bills")
    assert after["watermark"] == before["watermark"]  # nothing newer than the watermark: it stays, never moves back
    assert (after["changed_last_run"], after["reread_last_run"]) == (1, result.reread)
    assert after["rows_total"] == before["rows_total"] + result.fetched - result.reread  # re-reads are not new rows


async def test_an_address_change_stamped_late_reaches_the_customer(billing):
    await sync_customers(billing.tenant, billing.connector, secret=SECRET)
    with tenant_scope(billing.tenant):
        customer = (await Customer.select(Customer.legacy_id).order_by(Customer.legacy_id).first())["legacy_id"]
    move_customer(billing, customer, "新地址 1 号", await watermark_time(billing, "customers") - LATE)
    result = await sync_customers(billing.tenant, billing.connector, secret=SECRET)
    assert (result.updated, result.created) == (1, 0) and result.reread >= 1, result
    with tenant_scope(billing.tenant):
        assert (await Customer.select(Customer.address).where(Customer.legacy_id == customer).first())[
            "address"
        ] == "新地址 1 号"


async def test_unchanged_re_reads_write_nothing(billing):
    await sync_customers(billing.tenant, billing.connector, secret=SECRET)
    await sync_billing(billing.tenant, billing.connector, "bills")
    mark = await watermark_time(billing, "bills")
    with tenant_scope(billing.tenant):
        ids = [r["legacy_id"] for r in await Bill.select(Bill.legacy_id).order_by(Bill.legacy_id).limit(3)]
    for bill in ids:
        touch_bill(billing, bill, mark - dt.timedelta(minutes=10))
    assert (
        await sync_billing(billing.tenant, billing.connector, "bills")
    ).written == 3  # their change times, now inside the window
    bills_before, customers_before = await _synced_at(billing.tenant, Bill), await _synced_at(billing.tenant, Customer)
    with tenant_scope(billing.tenant):
        quarantined = await Quarantine.count()
    watermark = (await state(billing, "bills"))["watermark"]
    bills = await sync_billing(billing.tenant, billing.connector, "bills")
    customers = await sync_customers(billing.tenant, billing.connector, secret=SECRET)
    assert bills.reread >= 3 and bills.written == 0, bills
    assert customers.written == 0, customers
    assert (
        await _synced_at(billing.tenant, Bill) == bills_before
    )  # no synced_at bumped: billmail's "month ready" stays true
    assert await _synced_at(billing.tenant, Customer) == customers_before
    row = await state(billing, "bills")
    assert (row["changed_last_run"], row["reread_last_run"], row["watermark"]) == (0, bills.reread, watermark)
    with tenant_scope(billing.tenant):
        assert await Quarantine.count() == quarantined


async def test_a_stamp_older_than_the_look_back_is_missed_by_the_incremental_sync(billing):
    await sync_billing(billing.tenant, billing.connector, "bills")
    bill = await _unpaid_bill(billing.tenant)
    pay_bill(billing, bill, await watermark_time(billing, "bills") - dt.timedelta(hours=5))
    result = await sync_billing(billing.tenant, billing.connector, "bills")
    assert result.written == 0
    with tenant_scope(billing.tenant):
        assert (await Bill.select(Bill.status).where(Bill.legacy_id == bill).first())["status"] == "unpaid"


async def test_a_look_back_of_zero_reads_after_the_watermark_only(billing):
    billing.tenant = dataclasses.replace(billing.tenant, legacy=LegacySection(bills_look_back_minutes=0))
    await sync_billing(billing.tenant, billing.connector, "bills")
    bill = await _unpaid_bill(billing.tenant)
    pay_bill(billing, bill, await watermark_time(billing, "bills") - LATE)
    result = await sync_billing(billing.tenant, billing.connector, "bills")
    assert (result.fetched, result.reread, result.written) == (0, 0, 0)


SH = zoneinfo.ZoneInfo("Asia/Shanghai")
MOMENT = dt.datetime(2024, 3, 23, 12, 40, 30, tzinfo=SH)


@pytest.mark.parametrize(
    "marker, fmt, expected",
    [
        ("20240323144000", "text:%Y%m%d%H%M%S", "20240323124030"),
        (20240323144000, "text:%Y%m%d%H%M%S", 20240323124030),
        (1711200000, "epoch", int(MOMENT.timestamp())),
        (1711200000000, "epoch_ms", int(MOMENT.timestamp()) * 1000),
        (dt.datetime(2024, 3, 23, 14, 40), "native", dt.datetime(2024, 3, 23, 12, 40, 30)),
        (dt.datetime(2024, 3, 23, 6, 40, tzinfo=dt.timezone.utc), "native", MOMENT.astimezone(dt.timezone.utc)),
        (dt.date(2024, 3, 24), "native", dt.date(2024, 3, 23)),
        ("2024-03-23 14:40:00", "native", "2024-03-23 12:40:30"),
    ],
)
def test_a_marker_is_moved_back_in_its_own_representation(marker, fmt, expected):
    assert _back_in_kind(marker, MOMENT, fmt, SH) == expected
