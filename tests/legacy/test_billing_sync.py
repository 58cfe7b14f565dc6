"""Bills and call records from both demo legacy systems into the hall (SQLite, or PostgreSQL with HALL_TEST_DB=postgres)."""

from __future__ import annotations

from collections import Counter

import pytest

from core.legacy.billing_sync import retry_quarantined, sync_billing, upsert_calls
from core.legacy.billing_tables import Bill, BillItem, CallRecord, Quarantine
from core.demo.billing import add_calls, pay_some_bills
from core.legacy.sync_engine import sync_kind
from core.legacy.tables import SyncState
from core.tenancy import tenant_scope

pytestmark = pytest.mark.usefixtures("hall_db")


async def snapshot(tenant) -> dict:
    """Everything the hall holds for the tenant, without row ids and sync times."""
    drop = {"id", "synced_at"}
    with tenant_scope(tenant):
        return {
            t.__name__: sorted(repr(sorted((k, v) for k, v in r.items() if k not in drop)) for r in await t.select())
            for t in (Bill, BillItem, CallRecord)
        }


async def test_both_styles_map_by_config_alone(billing):
    await billing.connector.check()
    bills = await sync_billing(billing.tenant, billing.connector, "bills", batch_size=50)
    calls = await sync_billing(billing.tenant, billing.connector, "calls", batch_size=97)
    assert (bills.fetched, bills.quarantined) == (billing.count_bills(), 0)
    assert (calls.fetched, calls.quarantined) == (billing.count_calls(), 0)
    with tenant_scope(billing.tenant):
        assert await Bill.count() == bills.fetched and await CallRecord.count() == calls.fetched
        rows = await Bill.select()
        items = await BillItem.select()
        records = await CallRecord.select()
    by_bill = Counter()
    for item in items:
        by_bill[item["bill_legacy_id"]] += item["amount_fen"]
    assert all(by_bill[b["legacy_id"]] == b["amount_fen"] for b in rows)  # items add up, in fen
    assert {b["month"] for b in rows} == {"2024-04", "2024-05"}
    assert {b["status"] for b in rows} == {"unpaid", "partial", "paid"}
    assert all(b["paid_fen"] == b["amount_fen"] for b in rows if b["status"] == "paid")
    types = Counter(r["call_type"] for r in records)
    assert types["local"] > types["long_distance"] > types["international"] > 0 and types["sms"] and types["data"]
    assert all(r["started_at"].tzinfo is not None for r in records)


async def test_money_and_times_are_converted(make_billing):
    jn, hb = make_billing("jiangnan", 20), make_billing("haibin", 20)
    zdbh, zje, yje, zq, jfrq = jn.sql("SELECT ZDBH, ZJE, YJE, ZQ, JFRQ FROM ZD_ZDXX WHERE ZT = 'B' LIMIT 1")[0]
    bill = (await jn.connector.bills_by_ids([zdbh]))[0]
    assert (
        bill.amount_fen == round(float(zje) * 100)
        and bill.paid_fen == round(float(yje) * 100)
        and bill.status == "partial"
    )
    assert bill.month == f"{zq[:4]}-{zq[4:]}" and f"{bill.due_date:%Y%m%d}" == jfrq
    bill_id, amount, due = hb.sql("SELECT BILL_ID, AMOUNT, DUE_TS FROM ACC_BILL LIMIT 1")[0]
    bill = (await hb.connector.bills_by_ids([str(bill_id)]))[0]
    assert bill.amount_fen == amount and bill.due_date.day == 15  # epoch -> the legacy system's local date
    cdr, fee, start = hb.sql("SELECT CDR_ID, FEE_YUAN, START_TIME FROM BIL_CDR WHERE CALL_TYPE = 'IDD' LIMIT 1")[0]
    call = (await hb.connector.calls_by_ids([str(cdr)]))[0]
    assert call.call_type == "international" and call.charge_fen == round(fee * 100)
    assert (
        call.started_at.strftime("%Y-%m-%d %H:%M:%S") == start
        and call.started_at.utcoffset().total_seconds() == 8 * 3600
    )


async def test_per_month_tables_and_the_months_window(make_billing):
    legacy = make_billing("jiangnan", 20, months=3)
    assert [r[0] for r in legacy.sql("SELECT name FROM sqlite_master WHERE name LIKE 'HD_%' ORDER BY 1")] == [
        "HD_202403",
        "HD_202404",
        "HD_202405",
    ]
    window = legacy.connect(calls={"months": 2})
    result = await sync_billing(legacy.tenant, window, "calls", batch_size=100)
    expected = sum(legacy.sql(f"SELECT COUNT(*) FROM HD_{m}")[0][0] for m in ("202404", "202405"))
    assert result.fetched == expected
    with tenant_scope(legacy.tenant):
        ids = [r["legacy_id"] for r in await CallRecord.select(CallRecord.legacy_id)]
    assert {i.split("-")[0] for i in ids} == {"202404", "202405"}
    legacy.sql("CREATE TABLE HD_202406 AS SELECT * FROM HD_202405 WHERE 0")  # a new month's table appears
    legacy.sql("INSERT INTO HD_202406 SELECT LSH + 10000000, JFHM, DFHM, KSSJ, SC, THLX, FY FROM HD_202405 LIMIT 5")
    legacy.sql(
        "INSERT INTO HD_202405 SELECT LSH + 20000000, JFHM, DFHM, KSSJ, SC, THLX, FY FROM HD_202405 LIMIT 2"
    )  # late records
    again = await sync_billing(legacy.tenant, window, "calls", batch_size=3)
    assert again.fetched == 7
    with tenant_scope(legacy.tenant):
        late = await CallRecord.count().where(CallRecord.legacy_id.like("202405-2000%"))
    assert late == 2
    assert '"202404"' not in again.watermark and '"202406"' in again.watermark  # the window moved on


async def test_re_sync_is_idempotent(billing):
    for kind in ("bills", "calls"):
        await sync_billing(billing.tenant, billing.connector, kind, batch_size=64)
    before = await snapshot(billing.tenant)
    for kind in ("bills", "calls"):
        assert (
            await sync_billing(billing.tenant, billing.connector, kind)
        ).new == 0  # nothing new (the look-back re-reads, writes nothing)
        await sync_billing(billing.tenant, billing.connector, kind, full=True, batch_size=33)  # everything again
    assert await snapshot(billing.tenant) == before


async def test_incremental_sync_reads_only_changes(billing):
    for kind in ("bills", "calls"):
        await sync_billing(billing.tenant, billing.connector, kind, batch_size=64)
    paid = pay_some_bills(billing.path, billing.style, 7)
    new_calls = add_calls(billing.path, billing.style, 5)
    bills = await sync_billing(billing.tenant, billing.connector, "bills", batch_size=3)
    calls = await sync_billing(billing.tenant, billing.connector, "calls", batch_size=2)
    assert (bills.new, bills.written, calls.fetched) == (7, 7, 5)
    with tenant_scope(billing.tenant):
        rows = await Bill.select().where(Bill.legacy_id.is_in(paid))
        assert len(rows) == 7 and all(r["status"] == "paid" and r["paid_fen"] == r["amount_fen"] for r in rows)
        assert await CallRecord.count().where(CallRecord.legacy_id.is_in(new_calls)) == 5


class Boom(RuntimeError):
    pass


async def test_resume_after_a_failure_mid_batch_loses_and_repeats_nothing(billing):
    connector = billing.connector
    written = 0

    async def source(watermark, limit):
        batch = await connector.calls_after(watermark, limit)
        return batch.calls, batch.watermark

    async def failing_upsert(records, now):
        nonlocal written
        outcome = await upsert_calls(records, now)  # rows are written, then the process "dies" in the transaction
        written += 1
        if written == 4:
            raise Boom("killed mid-batch")
        return outcome

    with pytest.raises(Boom):
        await sync_kind(billing.tenant, source, failing_upsert, "calls", batch_size=50)
    with tenant_scope(billing.tenant):
        assert await CallRecord.count() == 150  # three committed pages; the fourth rolled back with its watermark
        state = await SyncState.select().where(SyncState.kind == "calls").first()
        assert "Boom: killed mid-batch" in state["last_error"]
    resumed = await sync_kind(billing.tenant, source, upsert_calls, "calls", batch_size=50)
    assert resumed.fetched == billing.count_calls() - 150
    with tenant_scope(billing.tenant):
        ids = [r["legacy_id"] for r in await CallRecord.select(CallRecord.legacy_id)]
    assert len(ids) == len(set(ids)) == billing.count_calls()


async def test_resume_after_the_legacy_system_fails_mid_sync(billing):
    await sync_billing(billing.tenant, billing.connector, "bills", batch_size=40)
    clean = await snapshot(billing.tenant)
    with tenant_scope(billing.tenant):
        await Bill.delete(force=True)
        await BillItem.delete(force=True)
        await SyncState.delete(force=True)
    real, calls = billing.connector.bills_changed_since, 0

    async def flaky(watermark, limit):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise ConnectionError("legacy database went away")
        return await real(watermark, limit)

    billing.connector.bills_changed_since = flaky
    with pytest.raises(ConnectionError):
        await sync_billing(billing.tenant, billing.connector, "bills", batch_size=40)
    await sync_billing(billing.tenant, billing.connector, "bills", batch_size=40)
    assert await snapshot(billing.tenant) == clean


ID = "110101199003074477"  # an ID-number-shaped value where a clerk typed it by mistake


async def test_invalid_rows_are_quarantined_masked_and_retriable(make_billing):
    legacy = make_billing("jiangnan")
    bad = legacy.sql("SELECT ZDBH, ZJE FROM ZD_ZDXX ORDER BY ZDBH LIMIT 1")[0]
    legacy.sql("UPDATE ZD_ZDXX SET ZJE = ? WHERE ZDBH = ?", f"{ID}元", bad[0])
    result = await sync_billing(legacy.tenant, legacy.connector, "bills", batch_size=30)
    assert result.quarantined == 1 and result.fetched == legacy.count_bills()
    with tenant_scope(legacy.tenant):
        assert await Bill.count() == legacy.count_bills() - 1
        assert not await Bill.exists().where(Bill.legacy_id == bad[0])
        row = await Quarantine.select().where(Quarantine.legacy_id == bad[0]).first()
    assert row["kind"] == "bills" and row["resolved_at"] is None and row["attempts"] == 1
    reason = row["reason"]
    for part in (
        str(legacy.tenant_file),
        "connector.bills.amount_format",
        "ZD_ZDXX.ZJE",
        "yuan_text",
        "110101********4477",
    ):
        assert part in reason, reason
    assert ID not in reason and ID not in str(row["sample"]) and row["sample"]["legacy_id"] == bad[0]

    again = await sync_billing(
        legacy.tenant, legacy.connector, "bills", full=True
    )  # still wrong: counted, not duplicated
    assert again.quarantined == 1
    with tenant_scope(legacy.tenant):
        assert (await Quarantine.select().where(Quarantine.legacy_id == bad[0]).first())["attempts"] == 2
        assert await Quarantine.count() == 1

    legacy.sql(
        "UPDATE ZD_ZDXX SET ZJE = ? WHERE ZDBH = ?", bad[1], bad[0]
    )  # fixed in the legacy system, change time untouched
    retried = await retry_quarantined(legacy.tenant, "bills", legacy.connector)
    assert retried.resolved == 1
    with tenant_scope(legacy.tenant):
        assert await Bill.exists().where(Bill.legacy_id == bad[0])
        assert await BillItem.exists().where(BillItem.bill_legacy_id == bad[0])
        assert (await Quarantine.select().where(Quarantine.legacy_id == bad[0]).first())["resolved_at"] is not None


async def test_a_later_sync_resolves_a_quarantined_call(make_billing):
    legacy = make_billing("haibin")
    cdr = legacy.sql("SELECT CDR_ID FROM BIL_CDR ORDER BY CDR_ID LIMIT 1")[0][0]
    legacy.sql("UPDATE BIL_CDR SET CALL_TYPE = 'VOIP' WHERE CDR_ID = ?", cdr)
    result = await sync_billing(legacy.tenant, legacy.connector, "calls", batch_size=200)
    assert [(r.legacy_id, r.reason) for r in result.rejected] == [
        (
            str(cdr),
            "call type 'VOIP' is not one of local, long_distance, international, roaming, data, sms (map it in the connector)",
        )
    ]
    legacy.sql(
        "UPDATE BIL_CDR SET CALL_TYPE = 'LOC', UPD_TS = (SELECT MAX(UPD_TS) + 1 FROM BIL_CDR) WHERE CDR_ID = ?", cdr
    )
    later = await sync_billing(legacy.tenant, legacy.connector, "calls")
    assert (later.fetched, later.resolved) == (1, 1)
    with tenant_scope(legacy.tenant):
        assert (await CallRecord.select().where(CallRecord.legacy_id == str(cdr)).first())["call_type"] == "local"
        assert await Quarantine.count().where(Quarantine.resolved_at.is_null()) == 0


async def test_a_bill_keeps_exactly_its_legacy_items(make_billing):
    legacy = make_billing("haibin")
    await sync_billing(legacy.tenant, legacy.connector, "bills")
    bill, count = legacy.sql(
        "SELECT BILL_ID, COUNT(*) FROM ACC_BILL_ITEM GROUP BY BILL_ID HAVING COUNT(*) > 1 ORDER BY BILL_ID LIMIT 1"
    )[0]
    legacy.sql(
        "DELETE FROM ACC_BILL_ITEM WHERE BILL_ID = ? AND ITEM_SEQ = (SELECT MAX(ITEM_SEQ) FROM ACC_BILL_ITEM WHERE BILL_ID = ?)",
        bill,
        bill,
    )
    legacy.sql("UPDATE ACC_BILL SET UPD_TS = (SELECT MAX(UPD_TS) + 1 FROM ACC_BILL) WHERE BILL_ID = ?", bill)
    assert (await sync_billing(legacy.tenant, legacy.connector, "bills")).new == 1
    with tenant_scope(legacy.tenant):
        items = await BillItem.select().where(BillItem.bill_legacy_id == str(bill)).order_by(BillItem.position)
    assert [i["position"] for i in items] == list(range(1, count))
