"""The legacy system away for an hour: the portal keeps serving synced data, sync and outbox retry, and all catches up.

A sqlbss tenant over a demo legacy database: a SQLite file that is moved
away, or (with HALL_TEST_DB=postgres) a PostgreSQL copy behind a TCP gate that
refuses and cuts connections (tests/legacy/outage_support.py). Clerks keep
working in it meanwhile. The hall itself is on SQLite, or on PostgreSQL with
HALL_TEST_DB=postgres. The scheduled jobs run as declared (calls and
customers every 15 minutes, bills hourly, the outbox every minute) from the
in-process scheduler on a simulated clock, one tick a minute: two hours pass
in seconds.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from billing_support import full_config
from legacy_support import ON_POSTGRES, PG_URL, create_pg_database, drop_pg_database
from outage_support import PostgresLegacy, SqliteLegacy, add_calls, inbox_ids, pay_a_bill, rename_customer

from core.auth.customers import create_account
from core.auth.passwords import hash_password
from core.auth.tables import Customer
from core.db import transaction
from core.jobs.runner import InProcessRunner
from core.legacy.billing_tables import Bill, CallRecord
from core.demo.era import FIXED_END_MONTH
from core.demo.legacy_db import generate_legacy_db
from core.legacy.outbox import emit
from core.legacy.outbox_tables import OutboxEvent
from core.legacy.tables import SyncState
from core.testing import PASSWORD, TenantSpec, add_operator, field_errors

T = "jiangnan"
INBOX = {
    "table": "JK_HXSJ",
    "event_id": "SJBH",
    "kind": "SJLX",
    "payload": "SJNR",
    "written": "JSSJ",
    "written_format": "text:%Y%m%d%H%M%S",
}


class Schedule:
    """``InProcessRunner.run_due`` on a simulated clock: ``advance(n)`` is n one-minute ticks of the scheduler."""

    def __init__(self, harness):
        self.harness = harness
        self.runner = InProcessRunner(harness.hall)
        self.minute = 0
        self.ran: Counter = Counter()

    def advance(self, minutes: int) -> Counter:
        ran: Counter = Counter()
        for _ in range(minutes):
            ran.update(self.harness.run(self.runner.run_due(now=self.minute * 60.0)))
            self.minute += 1
        self.ran += ran
        return ran


@pytest.fixture(params=["sqlite", "postgresql"])
def legacy(request, tmp_path):
    """(the legacy database, its demo customers): a SQLite file, or a PostgreSQL copy behind a TCP gate."""
    path = tmp_path / "legacy-jiangnan.sqlite3"
    demos = generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=30, style=T, months=2)
    if request.param == "sqlite":
        yield SqliteLegacy(path), demos
        return
    if not ON_POSTGRES:
        pytest.skip("a PostgreSQL legacy database runs with HALL_TEST_DB=postgres")
    name = asyncio.run(create_pg_database())
    db = PostgresLegacy(path, PG_URL, name)
    try:
        yield db, demos
    finally:
        db.close()
        asyncio.run(drop_pg_database(name))


def states(h) -> dict[str, dict]:
    return {r["kind"]: r for r in h.in_tenant(T, lambda: SyncState.select())}


def sign_up(h, demo) -> None:
    async def go():
        row = await Customer.select().where(Customer.legacy_id == demo.legacy_id).first()
        async with transaction():
            await create_account(
                customer=row, number=demo.numbers[0], password_hash=await hash_password(PASSWORD), language="zh_CN"
            )

    h.in_tenant(T, go)


def test_legacy_down_for_an_hour_then_everything_catches_up(hall_factory, legacy):
    legacy, (demo, newcomer, *_) = legacy
    h = hall_factory(
        [
            TenantSpec(
                T,
                connector={**full_config(T), "url": legacy.url, "writeback": INBOX},
                legacy={"call_retention_months": 60},
            )
        ]
    )  # the demo's calls are from 2024: keep them
    clock = Schedule(h)
    assert {"core.sync_customers", "core.sync_bills", "core.sync_calls", "core.deliver_outbox"} <= set(clock.advance(1))
    synced = states(h)
    assert {k: s["last_error"] for k, s in synced.items()} == {"customers": "", "bills": "", "calls": ""}
    calls_before = h.in_tenant(T, lambda: CallRecord.count())
    assert calls_before > 0
    sign_up(h, demo)
    add_operator(h, T, "ops")

    legacy.down()  # the legacy database is unreachable from now on
    ran = clock.advance(5)

    async def pay_online():  # a change the legacy system must learn about, made while it is away
        async with transaction():
            return [await emit("payment.posted", {"number": demo.numbers[0], "amount_fen": 5000 + n}) for n in range(3)]

    events = h.in_tenant(T, pay_online)
    new_calls = add_calls(legacy, 4)  # the legacy system keeps working meanwhile
    paid_bill = pay_a_bill(legacy)
    rename_customer(legacy, demo.legacy_id, "改名后的客户")
    ran += clock.advance(55)  # an hour of outage in all
    assert ran["core.sync_calls"] == 4 and ran["core.sync_customers"] == 4 and ran["core.sync_bills"] == 1
    assert ran["core.deliver_outbox"] == 60

    # the portal serves what was synced, to customers and operators
    customer = h.client(T)
    customer.login_customer(demo.numbers[0])  # logging in needs no legacy system
    page = customer.get("/account")
    assert page.status_code == 200 and demo.name in page.text and demo.numbers[0] in page.text
    assert "改名后的客户" not in page.text  # the clerk's correction waits in the legacy system
    visitor = h.client(T)
    signup = {"number": newcomer.numbers[0], "name": newcomer.name, "id_number": newcomer.id_number, "channel": "sms"}
    assert visitor.post("/signup", signup).status_code == 200  # a synced customer can sign up: the code goes out
    unsynced = visitor.post("/signup", {**signup, "number": "057199999999"})
    assert unsynced.status_code == 400 and field_errors(unsynced.text)  # a number the hall never saw waits, politely
    operator = h.client(T)
    operator.login_operator("ops")
    sync_page = operator.get("/console/sync")
    assert sync_page.status_code == 200 and legacy.outage in sync_page.text
    found = operator.get("/console/customers", params={"q": demo.numbers[0]})
    assert found.status_code == 200 and demo.name in found.text
    # sync recorded the outage and kept its place; nothing from the outage has arrived
    during = states(h)
    for kind, state in during.items():
        assert legacy.outage in state["last_error"], kind
        assert (
            state["watermark"] == synced[kind]["watermark"]
            and state["last_success_at"] == synced[kind]["last_success_at"]
        )
        assert state["last_run_at"] > synced[kind]["last_run_at"]  # it kept trying
    assert h.in_tenant(T, lambda: CallRecord.count()) == calls_before
    assert h.in_tenant(T, lambda: CallRecord.count().where(CallRecord.legacy_id.is_in(new_calls))) == 0
    assert (
        h.in_tenant(T, lambda: Bill.select(Bill.status).where(Bill.legacy_id == paid_bill).first())["status"] != "paid"
    )
    # the outbox waits without spending attempts
    rows = h.in_tenant(T, lambda: OutboxEvent.select().where(OutboxEvent.event_id.is_in(events)))
    assert {r["status"] for r in rows} == {"pending"} and {r["attempts"] for r in rows} == {0}
    assert any(legacy.outage in r["last_error"] for r in rows)  # each run probes with the oldest event

    legacy.up()  # the legacy system is back
    ran = clock.advance(60)
    assert ran["core.sync_bills"] == 1 and ran["core.sync_calls"] == 4
    after = states(h)
    assert {k: s["last_error"] for k, s in after.items()} == {"customers": "", "bills": "", "calls": ""}
    assert all(after[k]["last_success_at"] > synced[k]["last_success_at"] for k in after)
    assert h.in_tenant(T, lambda: CallRecord.count()) == calls_before + len(new_calls)
    assert (
        h.in_tenant(T, lambda: Bill.select(Bill.status).where(Bill.legacy_id == paid_bill).first())["status"] == "paid"
    )
    assert "改名后的客户" in customer.get("/account").text
    rows = h.in_tenant(T, lambda: OutboxEvent.select().where(OutboxEvent.event_id.is_in(events)))
    assert {r["status"] for r in rows} == {"delivered"} and {r["attempts"] for r in rows} == {1}
    assert sorted(inbox_ids(legacy)) == sorted(events)  # each exactly once in the legacy inbox
    assert legacy.outage not in operator.get("/console/sync").text
