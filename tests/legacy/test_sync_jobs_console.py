"""Scheduled sync jobs and the operators' sync page (status, quarantine, run now, retry)."""

from __future__ import annotations

import datetime as dt

from core.audit import AuditLog
from core.auth.tables import Customer
from core.jobs import make_runner
from core.legacy.billing_tables import Quarantine
from core.legacy.tables import SyncState
from core.testing import add_operator, make_customer


def test_customer_sync_runs_as_a_job_and_survives_legacy_downtime(hall):
    connector = hall.connectors["alpha"]
    connector.customers.append(make_customer(51))
    runner = make_runner(hall.hall)
    connector.down = True
    hall.run(runner.run_now("core.sync_customers", "alpha"))  # logged, recorded, not raised into the scheduler
    state = hall.in_tenant("alpha", lambda: SyncState.select().where(SyncState.kind == "customers").first())
    assert state["last_error"] and "unreachable" in state["last_error"]
    connector.down = False
    connector.customers.append(make_customer(52))
    hall.run(runner.run_now("core.sync_customers", "alpha"))
    assert hall.in_tenant("alpha", lambda: Customer.count()) == 2
    assert hall.in_tenant("alpha", lambda: Customer.count()) == 2  # and not in beta:
    assert hall.in_tenant("beta", lambda: Customer.count()) == 0


def test_every_tenant_is_synced_by_the_periodic_job(hall):
    hall.connectors["alpha"].customers.append(make_customer(53))
    hall.connectors["beta"].customers.append(make_customer(54))
    hall.run(make_runner(hall.hall).run_now("core.sync_customers"))
    assert hall.in_tenant("alpha", lambda: Customer.count()) == 1
    assert hall.in_tenant("beta", lambda: Customer.count()) == 1


def _operator(hall, tenant="alpha"):
    add_operator(hall, tenant, "sync-op", permissions=["core.sync.manage", "core.audit.view"])
    client = hall.client(tenant)
    client.login_operator("sync-op")
    return client


def test_sync_page_shows_state_and_quarantine(hall):
    hall.connectors["alpha"].customers.append(make_customer(55))
    hall.run(make_runner(hall.hall).run_now("core.sync_customers", "alpha"))

    async def quarantine():
        now = dt.datetime.now(dt.timezone.utc)
        await Quarantine.insert(
            Quarantine(
                kind="bills",
                legacy_id="B-7",
                reason="amount 'abc' is not money",
                sample={},
                first_seen=now,
                last_seen=now,
            )
        )

    hall.in_tenant("alpha", quarantine)
    page = _operator(hall).get("/console/sync")
    assert page.status_code == 200
    assert "B-7" in page.text and "amount &#39;abc&#39; is not money" in page.text
    assert "customers" in page.text
    # the FakeConnector offers no bills port: the page says so, and retry/run for it answer 404
    client = _operator(hall)
    assert client.post("/console/sync/bills/retry").status_code == 404
    assert client.post("/console/sync/nosuch/run").status_code == 404


def test_run_now_is_queued_and_audited(hall):
    hall.connectors["alpha"].customers.append(make_customer(56))
    client = _operator(hall)
    r = client.post("/console/sync/customers/run")
    assert r.status_code == 303
    entry = hall.in_tenant("alpha", lambda: AuditLog.select().where(AuditLog.action == "sync.run").first())
    assert entry and entry["object_id"] == "customers" and entry["actor"] == "sync-op"


def test_sync_page_needs_the_permission(hall):
    add_operator(hall, "alpha", "no-sync", permissions=["core.audit.view"])
    client = hall.client("alpha")
    client.login_operator("no-sync")
    assert client.get("/console/sync").status_code == 403
    assert client.post("/console/sync/customers/run").status_code == 403
