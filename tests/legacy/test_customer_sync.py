"""Customer sync into the hall's database (SQLite, or PostgreSQL with HALL_TEST_DB=postgres)."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from legacy_support import read_all

from core.auth.tables import Customer, ServiceNumber
from core.db import all_tenants
from core.db.piccolo_app import APP_CONFIG
from core.legacy import customer_sync
from core.legacy.customer_sync import (
    CUSTOMER_FIELDS,
    InvalidCustomer,
    fetch_customer_by_number,
    sync_customers,
    upsert_customer,
    validate,
)
from core.demo.legacy_db import update_some
from core.legacy.tables import SyncState
from core.privacy import id_hash, mask_id
from core.tenancy import tenant_scope

pytestmark = pytest.mark.usefixtures("hall_db")


async def hall_state(tenant) -> tuple[dict, dict]:
    with tenant_scope(tenant):
        customers = {r["legacy_id"]: {f: r[f] for f in CUSTOMER_FIELDS} for r in await Customer.select()}
        numbers = {r["number"]: (r["customer_legacy_id"], r["kind"], r["status"]) for r in await ServiceNumber.select()}
    return customers, numbers


async def legacy_state(legacy, secret) -> tuple[dict, dict]:
    """What the hall should hold: every valid legacy customer, read afresh from the start."""
    customers, numbers = {}, {}
    for record in (await read_all(legacy.connector, 1000))[0]:
        try:
            row = validate(record, secret)
        except InvalidCustomer:
            continue
        customers[row.legacy_id] = row.values
        numbers.update({n.number: (row.legacy_id, n.kind, n.status) for n in row.numbers})
    return customers, numbers


async def full_snapshot(tenant) -> dict:
    with tenant_scope(tenant):
        return {t.__name__: sorted(map(repr, await t.select())) for t in (Customer, ServiceNumber)}


def legacy_sql(legacy, sql: str, *args):
    conn = sqlite3.connect(legacy.path)
    try:
        with conn:
            return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


async def test_first_sync_mirrors_the_legacy_system(legacy, secret):
    result = await sync_customers(legacy.tenant, legacy.connector, secret=secret, batch_size=25)
    assert (result.fetched, result.created, result.updated, result.batches, result.rejected) == (120, 120, 0, 5, [])
    expected = await legacy_state(legacy, secret)
    assert await hall_state(legacy.tenant) == expected
    assert result.numbers_created == len(expected[1])
    with tenant_scope(legacy.tenant):
        state = await SyncState.select().where(SyncState.kind == "customers").first()
    assert state["watermark"] == result.watermark != ""
    assert state["rows_total"] == 120 and state["last_success_at"] is not None and state["last_error"] == ""


async def test_running_again_changes_nothing(legacy, secret):
    await sync_customers(legacy.tenant, legacy.connector, secret=secret, batch_size=30)
    before = await full_snapshot(legacy.tenant)
    again = await sync_customers(legacy.tenant, legacy.connector, secret=secret)
    assert (again.new, again.written) == (0, 0)  # the look-back re-reads the last rows: nothing written
    full = await sync_customers(legacy.tenant, legacy.connector, secret=secret, batch_size=50, full=True)
    assert (full.fetched, full.unchanged, full.written) == (120, 120, 0)
    assert await full_snapshot(legacy.tenant) == before  # not even synced_at moved


async def test_incremental_sync_picks_up_exactly_the_changed_rows(legacy, secret):
    first = await sync_customers(legacy.tenant, legacy.connector, secret=secret, batch_size=40)
    before, _ = await hall_state(legacy.tenant)
    changed = update_some(legacy.path, legacy.style, count=7, seed=5)
    result = await sync_customers(legacy.tenant, legacy.connector, secret=secret, batch_size=3)
    assert (result.new, result.updated, result.created, result.batches) == (7, 7, 0, 3)
    after, _ = await hall_state(legacy.tenant)
    assert {k for k in after if after[k] != before[k]} == set(changed)
    assert await hall_state(legacy.tenant) == await legacy_state(legacy, secret)  # suspended lines too
    assert result.watermark != first.watermark


async def test_resumes_after_a_failure_mid_batch_without_duplicates(legacy, secret, monkeypatch):
    real = customer_sync._write_numbers
    calls = 0

    async def failing(rows, now, result):
        nonlocal calls
        calls += 1
        if calls == 3:  # third batch: its customers are written, then the transaction dies
            raise RuntimeError("boom: hall lost power")
        await real(rows, now, result)

    monkeypatch.setattr(customer_sync, "_write_numbers", failing)
    with pytest.raises(RuntimeError, match="boom"):
        await sync_customers(legacy.tenant, legacy.connector, secret=secret, batch_size=20)
    with tenant_scope(legacy.tenant):
        assert await Customer.count() == 40  # two committed batches, nothing of the third
        state = await SyncState.select().where(SyncState.kind == "customers").first()
    assert "boom" in state["last_error"] and state["rows_total"] == 40
    _, final = await read_all(legacy.connector, 40)
    assert state["watermark"] == (await legacy.connector.customers_changed_since("", 40)).watermark

    monkeypatch.setattr(customer_sync, "_write_numbers", real)
    result = await sync_customers(legacy.tenant, legacy.connector, secret=secret, batch_size=20)
    assert (result.new, result.created, result.updated) == (80, 80, 0)
    with tenant_scope(legacy.tenant):
        assert await Customer.count() == 120 and await Customer.count(distinct=[Customer.legacy_id]) == 120
        state = await SyncState.select().where(SyncState.kind == "customers").first()
    assert state["last_error"] == "" and state["rows_total"] == 120 and state["watermark"] == final
    assert await hall_state(legacy.tenant) == await legacy_state(legacy, secret)


async def test_invalid_customers_are_reported_not_dropped(legacy, secret, caplog):
    c = legacy.config["customers"]
    bad_id, no_name = legacy.demo[2], legacy.demo[3]
    key_where = " AND ".join(f"{k} = ?" for k in c["key"]) if isinstance(c["key"], list) else f"{c['key']} = ?"
    split = (lambda legacy_id: legacy_id.split("-")) if isinstance(c["key"], list) else (lambda legacy_id: [legacy_id])
    broken = bad_id.id_number[:-1] + ("1" if bad_id.id_number[-1] != "1" else "2")  # wrong check digit
    legacy_sql(
        legacy, f"UPDATE {c['table']} SET {c['id_number']} = ? WHERE {key_where}", broken, *split(bad_id.legacy_id)
    )
    legacy_sql(legacy, f"UPDATE {c['table']} SET {c['name']} = '  ' WHERE {key_where}", *split(no_name.legacy_id))

    with caplog.at_level(logging.WARNING, logger="hall.legacy.sync"):
        result = await sync_customers(legacy.tenant, legacy.connector, secret=secret)
    reasons = {r.legacy_id: r.reason for r in result.rejected}
    assert set(reasons) == {bad_id.legacy_id, no_name.legacy_id}
    assert "invalid ID number" in reasons[bad_id.legacy_id] and mask_id(broken) in reasons[bad_id.legacy_id]
    assert broken not in reasons[bad_id.legacy_id] and reasons[no_name.legacy_id] == "empty name"
    assert bad_id.legacy_id in caplog.text and no_name.legacy_id in caplog.text and broken not in caplog.text
    assert result.created == 118
    customers, _ = await hall_state(legacy.tenant)
    assert bad_id.legacy_id not in customers and no_name.legacy_id not in customers


async def test_no_full_id_number_in_the_hall(legacy, secret):
    await sync_customers(legacy.tenant, legacy.connector, secret=secret)
    records, _ = await read_all(legacy.connector, 1000)
    numbers = {r.id_number.upper() for r in records}
    rows = []
    with all_tenants():
        for table in APP_CONFIG.table_classes:
            rows += await table.select()
    dumped = " ".join(map(repr, rows))
    assert dumped.count(legacy.tenant.id) > 0  # the rows are there
    assert not [n for n in numbers if n in dumped.upper()]
    with tenant_scope(legacy.tenant):
        stored = {
            r["legacy_id"]: r for r in await Customer.select(Customer.legacy_id, Customer.id_hash, Customer.id_masked)
        }
    for record in records:
        row = stored[record.legacy_id]
        assert row["id_hash"] == id_hash(secret, record.id_number) and row["id_masked"] == mask_id(
            record.id_number.upper()
        )
        assert "*" in row["id_masked"]


async def test_service_numbers_follow_the_legacy_system(make_legacy, secret):
    legacy = make_legacy("jiangnan", 60)
    await sync_customers(legacy.tenant, legacy.connector, secret=secret)
    a, b = legacy.demo[0], legacy.demo[1]
    legacy_sql(legacy, "DELETE FROM YW_HMXX WHERE HM = ?", a.numbers[2])
    legacy_sql(legacy, "UPDATE YW_HMXX SET KHBH = ? WHERE HM = ?", b.legacy_id, a.numbers[1])
    legacy_sql(legacy, "UPDATE KH_KHXX SET XGSJ = '20300101000000' WHERE KHBH IN (?, ?)", a.legacy_id, b.legacy_id)
    result = await sync_customers(legacy.tenant, legacy.connector, secret=secret)
    assert (result.new, result.numbers_removed, result.numbers_updated, result.numbers_created) == (2, 1, 1, 0)
    _, numbers = await hall_state(legacy.tenant)
    assert a.numbers[2] not in numbers and numbers[a.numbers[1]][0] == b.legacy_id
    assert await hall_state(legacy.tenant) == await legacy_state(legacy, secret)


async def test_tenants_do_not_see_each_other(make_legacy, secret):
    jiangnan, haibin = make_legacy("jiangnan", 40), make_legacy("haibin", 30)
    await sync_customers(jiangnan.tenant, jiangnan.connector, secret=secret)
    await sync_customers(haibin.tenant, haibin.connector, secret=secret)
    jn, hb = await hall_state(jiangnan.tenant), await hall_state(haibin.tenant)
    assert len(jn[0]) == 40 and all(k.startswith("JN") for k in jn[0])
    assert len(hb[0]) == 30 and all("-" in k for k in hb[0])
    assert set(jn[1]) & set(hb[1])  # the same mobile numbers exist in both: unique per tenant, not globally
    again = await sync_customers(haibin.tenant, haibin.connector, secret=secret, full=True)
    assert again.written == 0 and await hall_state(jiangnan.tenant) == jn


async def test_sign_up_look_up_of_a_number_not_yet_synced(legacy, secret):
    demo = legacy.demo[0]
    found = await fetch_customer_by_number(legacy.tenant, legacy.connector, demo.numbers[1], secret=secret)
    assert found.legacy_id == demo.legacy_id
    customers, numbers = await hall_state(legacy.tenant)
    assert set(customers) == {demo.legacy_id} and set(numbers) == set(demo.numbers)
    assert customers[demo.legacy_id]["id_hash"] == id_hash(secret, demo.id_number)
    assert await upsert_customer(legacy.tenant, found, secret=secret) == "unchanged"
    assert await fetch_customer_by_number(legacy.tenant, legacy.connector, "00000000", secret=secret) is None
    with tenant_scope(legacy.tenant):
        assert not await SyncState.exists().where(SyncState.kind == "customers")  # the watermark is the sync's business
    result = await sync_customers(legacy.tenant, legacy.connector, secret=secret)
    assert (result.created, result.unchanged) == (119, 1)


async def test_upsert_refuses_an_invalid_record(legacy, secret):
    found = await legacy.connector.customer_by_number(legacy.demo[0].numbers[0])
    from dataclasses import replace

    with pytest.raises(InvalidCustomer) as info:
        await upsert_customer(legacy.tenant, replace(found, id_number="330106199001011234"), secret=secret)
    assert info.value.legacy_id == found.legacy_id and "330106********1234" in info.value.reason
    assert (await hall_state(legacy.tenant))[0] == {}
