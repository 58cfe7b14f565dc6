"""Customers on the sync engine: rejected customers are quarantined (reason and sample masked), re-triable, shown to operators."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest
from billing_support import BillingLegacy, full_config

from core.auth.tables import Customer
from core.jobs import make_runner
from core.legacy.billing_tables import Quarantine
from core.legacy.billing_sync import sync_billing
from core.legacy.customer_sync import fetch_function, retry_customers, sample_of, sync_customers
from core.legacy.reconcile import reconcile_kind
from core.privacy import mask_id
from core.testing import TenantSpec, add_operator, make_customer
from core.tenancy import tenant_scope


def _where(config: dict, legacy_id: str) -> tuple[str, list]:
    key = config["customers"]["key"]
    if isinstance(key, list):
        return " AND ".join(f"{k} = ?" for k in key), legacy_id.split("-")
    return f"{key} = ?", [legacy_id]


async def quarantined(tenant) -> list[dict]:
    with tenant_scope(tenant):
        return await Quarantine.select().where(Quarantine.kind == "customers").output(load_json=True)


@pytest.mark.usefixtures("hall_db")
async def test_rejected_customers_are_quarantined_masked_and_retried(legacy, secret):
    c = legacy.config["customers"]
    victim = legacy.demo[2]
    broken = victim.id_number[:-1] + ("1" if victim.id_number[-1] != "1" else "2")  # wrong check digit
    where, args = _where(legacy.config, victim.legacy_id)

    def sql(statement, *values):
        conn = sqlite3.connect(legacy.path)
        with conn:
            conn.execute(statement, values)
        conn.close()

    sql(f"UPDATE {c['table']} SET {c['id_number']} = ? WHERE {where}", broken, *args)
    result = await sync_customers(legacy.tenant, legacy.connector, secret=secret)
    assert result.quarantined == 1 and [r.legacy_id for r in result.rejected] == [victim.legacy_id]
    (row,) = await quarantined(legacy.tenant)
    assert row["legacy_id"] == victim.legacy_id and row["attempts"] == 1 and row["resolved_at"] is None
    assert "invalid ID number" in row["reason"] and mask_id(broken) in row["reason"]
    assert row["sample"]["id_number"] == mask_id(broken) and broken not in repr(row)
    assert row["sample"]["numbers"] and row["sample"]["name"] == victim.name

    # fixed upstream without a new change time: the incremental sync cannot see it, a retry does
    sql(f"UPDATE {c['table']} SET {c['id_number']} = ? WHERE {where}", victim.id_number, *args)
    assert (await sync_customers(legacy.tenant, legacy.connector, secret=secret)).new == 0
    retried = await retry_customers(legacy.tenant, legacy.connector, secret=secret)
    assert (retried.resolved, retried.created) == (1, 1)
    (row,) = await quarantined(legacy.tenant)
    assert row["resolved_at"] is not None
    with tenant_scope(legacy.tenant):
        assert await Customer.exists().where(Customer.legacy_id == victim.legacy_id)


@pytest.mark.usefixtures("hall_db")
async def test_retry_without_customers_by_ids_uses_the_number_look_up(legacy, secret):
    class NumbersOnly:  # a connector with just the CustomerSource port
        def __init__(self, real):
            self.customers_changed_since, self.customer_by_number = (
                real.customers_changed_since,
                real.customer_by_number,
            )

    victim = legacy.demo[3]
    by_ids = fetch_function(legacy.connector)
    assert [c.legacy_id for c in await by_ids([victim.legacy_id, "nope-1"])] == [victim.legacy_id]
    with tenant_scope(legacy.tenant):
        record = (await by_ids([victim.legacy_id]))[0]

        await Quarantine.insert(
            Quarantine(
                kind="customers", legacy_id=victim.legacy_id, reason="was broken", sample=sample_of(record), attempts=1
            )
        )
        await Quarantine.insert(
            Quarantine(kind="customers", legacy_id="GONE", reason="gone", sample={"numbers": []}, attempts=1)
        )
    result = await retry_customers(legacy.tenant, NumbersOnly(legacy.connector), secret=secret)
    assert (result.resolved, result.created) == (1, 1)
    rows = {r["legacy_id"]: r for r in await quarantined(legacy.tenant)}
    assert rows[victim.legacy_id]["resolved_at"] is not None
    assert rows["GONE"]["resolved_at"] is None and rows["GONE"]["attempts"] == 2  # kept, attempt counted


def test_operators_see_and_retry_quarantined_customers(hall):
    connector = hall.connectors["alpha"]
    good = make_customer(61)
    connector.customers.append(dataclasses.replace(good, id_number="110101199001011230"))  # wrong check digit
    hall.run(make_runner(hall.hall).run_now("core.sync_customers", "alpha"))
    add_operator(hall, "alpha", "sync-op", permissions=["core.sync.manage"])
    client = hall.client("alpha")
    client.login_operator("sync-op")
    page = client.get("/console/sync")
    assert page.status_code == 200 and good.legacy_id in page.text and "invalid ID number" in page.text
    assert "110101199001011230" not in page.text and "/console/sync/customers/retry" in page.text
    connector.customers[:] = [good]  # fixed upstream
    assert client.post("/console/sync/customers/retry").status_code == 303
    assert hall.in_tenant("alpha", lambda: Customer.count()) == 1
    assert hall.in_tenant("alpha", lambda: Quarantine.count().where(Quarantine.resolved_at.is_null())) == 0
    assert "无法列出数据，不能对账" in client.get("/console/sync").text  # the FakeConnector


def test_sync_page_shows_reconciliation_and_its_refusal(hall_factory, tmp_path):
    legacy = BillingLegacy(tmp_path, "haibin", 12, 1)
    h = hall_factory([TenantSpec("haibin", connector={**full_config("haibin"), "url": f"sqlite:///{legacy.path}"})])
    tenant, connector = h.tenant("haibin"), h.hall.connector(h.tenant("haibin"))
    h.run(sync_customers(tenant, connector, secret=h.hall.secret))
    h.run(sync_billing(tenant, connector, "bills"))
    h.run(reconcile_kind(tenant, connector, "customers"))
    legacy.sql("DELETE FROM ACC_BILL")
    assert h.run(reconcile_kind(tenant, connector, "bills")).refused
    add_operator(h, "haibin", "sync-op", permissions=["core.sync.manage"])
    client = h.client("haibin")
    client.login_operator("sync-op")
    text = client.get("/console/sync").text
    assert "would remove" in text and "--force" in text  # the refusal, for the operator
    assert "calls" in text and "customers" in text
    h.run(legacy.close())
