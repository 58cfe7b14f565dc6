"""kill -9 at random moments during the real sync and the real outbox delivery, then resume: nothing lost, nothing twice.

A child process (tests/legacy/crash_driver.py, or ``python -m core.cli sync``
for the last run) works on the test hall's database - SQLite, or PostgreSQL
with HALL_TEST_DB=postgres - and is SIGKILLed several times by
core.testing.crash. The hall must end exactly where an uninterrupted run
ends: the same rows, each once, the same watermark, nothing quarantined.
Random moments cover the whole run; ``kill_at`` pins the two moments that
matter most (a page read but not committed; an event written to the legacy
system but not yet marked delivered in the hall).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from billing_support import full_config

from core.auth.tables import Customer, ServiceNumber
from core.db import transaction
from core.legacy.billing_sync import sync_billing, validate_bill, validate_call
from core.legacy.billing_tables import Bill, BillItem, CallRecord, Quarantine
from core.legacy.customer_sync import sync_customers
from core.demo.era import FIXED_END_MONTH
from core.demo.legacy_db import generate_legacy_db
from core.legacy.outbox import OutboxPolicy, emit, free_stale_claims
from core.legacy.outbox_tables import OutboxEvent
from core.legacy.tables import SyncState
from core.testing import TenantSpec

from core.testing.crash import child_env, kill_and_resume, kill_at, python, run_once

DRIVER = str(Path(__file__).with_name("crash_driver.py"))
TABLES = {"calls": (CallRecord,), "bills": (Bill, BillItem), "customers": (Customer, ServiceNumber)}
# (kind, legacy style, page size): small pages, so that every kill lands in the middle of a run
CASES = [("calls", "jiangnan", 30), ("calls", "haibin", 30), ("bills", "haibin", 8), ("customers", "jiangnan", 4)]
INBOX = {
    "table": "JK_HXSJ",
    "event_id": "SJBH",
    "kind": "SJLX",
    "payload": "SJNR",
    "written": "JSSJ",
    "written_format": "text:%Y%m%d%H%M%S",
}


# rows the hall must quarantine, not lose and not count twice (haibin: an unknown call type, an amount that is not money)
SPOIL = [
    "UPDATE BIL_CDR SET CALL_TYPE = 'VOIP' WHERE CDR_ID % 97 = 0",
    "UPDATE ACC_BILL SET AMOUNT = 'n/a' WHERE BILL_ID % 23 = 0",
]


def legacy_hall(hall_factory, tmp_path: Path, style: str, **connector):
    path = tmp_path / f"legacy-{style}.sqlite3"
    if not path.exists():
        generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=60, style=style, months=2)
        if style == "haibin":
            with closing(sqlite3.connect(path)) as conn, conn:
                for statement in SPOIL:
                    conn.execute(statement)
    # These tests resume exactly at the committed watermark; the look-back, which starts earlier on purpose, has its own tests.
    no_look_back = {"customers_look_back_minutes": 0, "bills_look_back_minutes": 0}
    return hall_factory(
        [
            TenantSpec(
                style, connector={**full_config(style), "url": f"sqlite:///{path}", **connector}, legacy=no_look_back
            )
        ]
    ), path


def config_of(harness) -> str:
    return str(harness.hall.settings.config_file)


def canonical(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat()
    return value.isoformat() if isinstance(value, dt.date) else value


def checksum(row: dict, fields) -> str:
    return hashlib.sha256(repr([(f, canonical(row[f])) for f in fields]).encode()).hexdigest()


async def snapshot(kind: str) -> dict:
    """What the hall holds for ``kind`` in the current tenant: every row (ids and sync times left out), sorted."""
    drop = {"id", "synced_at"}
    return {
        t.__name__: sorted(
            repr(sorted((k, canonical(v)) for k, v in r.items() if k not in drop)) for r in await t.select()
        )
        for t in TABLES[kind]
    }


async def legacy_checksums(connector, kind: str) -> dict[str, str]:
    """Every legacy row of ``kind`` as the hall should store it: legacy id -> checksum of the converted values."""
    read, check = (
        (connector.calls_after, validate_call) if kind == "calls" else (connector.bills_changed_since, validate_bill)
    )
    out: dict[str, str] = {}
    watermark = ""
    while True:
        batch = await read(watermark, 500)
        rows = batch.calls if kind == "calls" else batch.bills
        if not rows:
            return out
        for record in rows:
            try:
                values = check(record) if kind == "calls" else check(record)[0]
            except ValueError:  # quarantined instead
                continue
            out[values["legacy_id"]] = checksum(values, sorted(values))
        watermark = batch.watermark


async def hall_checksums(kind: str) -> dict[str, str]:
    table = CallRecord if kind == "calls" else Bill
    fields = None
    out: dict[str, str] = {}
    for row in await table.select():
        row = {k: v for k, v in row.items() if k not in ("id", "tenant", "synced_at")}
        fields = fields or sorted(row)
        out[row["legacy_id"]] = checksum(row, fields)
    return out


async def sync_state(kind: str) -> dict:
    return (
        await SyncState.select(SyncState.watermark, SyncState.rows_total, SyncState.last_error)
        .where(SyncState.kind == kind)
        .first()
    )


async def quarantine(kind: str) -> list[tuple]:
    rows = await Quarantine.select(
        Quarantine.legacy_id, Quarantine.reason, Quarantine.attempts, Quarantine.resolved_at
    ).where(Quarantine.kind == kind)
    return sorted((r["legacy_id"], r["reason"], r["attempts"], r["resolved_at"]) for r in rows)


@pytest.mark.parametrize(("kind", "style", "page"), CASES, ids=[f"{k}-{s}" for k, s, _ in CASES])
def test_sync_killed_at_random_moments_resumes_with_no_loss_and_no_duplicate(hall_factory, tmp_path, kind, style, page):
    crashed, _ = legacy_hall(hall_factory, tmp_path, style)
    reference, _ = legacy_hall(hall_factory, tmp_path, style)
    env = child_env(HALL_CONFIG=config_of(crashed))
    run = kill_and_resume(
        python(DRIVER, "sync", style, kind, str(page)),
        env=env,
        seed=len(kind) * 7 + page,
        kills=4,
        finish=python("-m", "core.cli", "sync", "--tenant", style, "--kind", kind),
    )
    assert run.kills >= 2, [(r.killed, r.steps, r.returncode) for r in run.rounds]
    assert f"{style}: " in " ".join(run.final.output)  # the real `hall sync` finished the job

    tenant = reference.tenant(style)
    connector = reference.hall.connector(tenant)
    if kind == "customers":
        reference.run(sync_customers(tenant, connector, secret=reference.hall.secret, batch_size=page))
    else:
        reference.run(sync_billing(tenant, connector, kind, batch_size=page))  # uninterrupted
    got, want = crashed.in_tenant(style, snapshot, kind), reference.in_tenant(style, snapshot, kind)
    assert got == want  # every row, each once, with the same content
    assert all(len(rows) == len(set(rows)) for rows in got.values())
    legacy_ids = [
        r["legacy_id"] for r in crashed.in_tenant(style, lambda: TABLES[kind][0].select(TABLES[kind][0].legacy_id))
    ]
    assert len(legacy_ids) == len(set(legacy_ids)) > 0
    if kind != "customers":  # and that content is the legacy rows converted
        assert crashed.in_tenant(style, hall_checksums, kind) == reference.run(legacy_checksums(connector, kind))
    state, clean = crashed.in_tenant(style, sync_state, kind), reference.in_tenant(style, sync_state, kind)
    assert state["watermark"] == clean["watermark"] != ""
    assert state["last_error"] == ""
    assert state["rows_total"] == clean["rows_total"]  # rows of killed, uncommitted pages are not counted twice
    quarantined = crashed.in_tenant(style, quarantine, kind)
    assert quarantined == reference.in_tenant(style, quarantine, kind)  # the same rows, each seen once (attempts 1)
    assert bool(quarantined) == (style == "haibin" and kind != "customers")


def test_sync_killed_mid_run_resumes_from_the_last_committed_page(hall_factory, tmp_path):
    h, _ = legacy_hall(hall_factory, tmp_path, "haibin")
    env = child_env(HALL_CONFIG=config_of(h))
    sync = python(DRIVER, "sync", "haibin", "bills", "10")
    killed = kill_at(sync, "read bills#3", env=env)  # frozen once the third page is read; the engine may be writing one
    state = h.in_tenant("haibin", sync_state, "bills")
    assert (
        f"progress read bills {state['watermark']!r}" in killed.lines()
    )  # the committed watermark is a page boundary ...
    held = h.in_tenant("haibin", lambda: Bill.count()) + len(h.in_tenant("haibin", quarantine, "bills"))
    assert held == state["rows_total"] in (10, 20)  # ... committed with its rows (a few of them quarantined)
    resumed = run_once(sync, env=env)
    assert (
        resumed.returncode == 0 and resumed.lines()[0] == f"progress read bills {state['watermark']!r}"
    )  # and resumed there
    legacy_ids = [r["legacy_id"] for r in h.in_tenant("haibin", lambda: Bill.select(Bill.legacy_id))]
    quarantined = h.in_tenant("haibin", quarantine, "bills")
    assert (
        len(legacy_ids)
        == len(set(legacy_ids))
        == h.in_tenant("haibin", sync_state, "bills")["rows_total"] - len(quarantined)
    )
    assert quarantined and {q[2] for q in quarantined} == {1}
    assert h.in_tenant("haibin", hall_checksums, "bills") == h.run(
        legacy_checksums(h.hall.connector(h.tenant("haibin")), "bills")
    )


def inbox_ids(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT SJBH FROM JK_HXSJ")]


def test_outbox_delivery_killed_at_random_moments_applies_every_event_once(hall_factory, tmp_path):
    h, path = legacy_hall(hall_factory, tmp_path, "jiangnan", writeback=INBOX)

    async def emit_all():
        async with transaction():
            return [await emit("payment.posted", {"number": "057180000001", "amount_fen": 100 + n}) for n in range(60)]

    ids = h.in_tenant("jiangnan", emit_all)
    env = child_env(HALL_CONFIG=config_of(h))
    # each start comes 11 minutes after the last: past CLAIM_TIMEOUT (2 minutes), so it frees the claims a killed run left
    run = kill_and_resume(
        lambda n: python(DRIVER, "deliver", "jiangnan", str(11 * n), "7"), env=env, seed=3, kills=5, after=(1, 12)
    )
    assert run.kills >= 3, [(r.killed, r.steps, r.returncode) for r in run.rounds]
    written = inbox_ids(path)
    assert sorted(written) == sorted(ids)  # every event applied, each exactly once
    rows = h.in_tenant(
        "jiangnan", lambda: OutboxEvent.select(OutboxEvent.event_id, OutboxEvent.status, OutboxEvent.claimed_at)
    )
    assert {r["status"] for r in rows} == {"delivered"} and all(r["claimed_at"] is None for r in rows)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    assert h.in_tenant("jiangnan", free_stale_claims, OutboxPolicy(), later) == 0  # no claim left behind
    writes = run.lines("progress wrote")
    assert len(writes) >= len(
        ids
    )  # a kill between the legacy write and the hall's commit repeats the write, harmlessly


def test_outbox_killed_after_the_legacy_write_applies_the_event_once(hall_factory, tmp_path):
    h, path = legacy_hall(hall_factory, tmp_path, "jiangnan", writeback=INBOX)

    async def emit_all():
        async with transaction():
            return [await emit("order.placed", {"product": n}) for n in range(3)]

    ids = h.in_tenant("jiangnan", emit_all)
    env = child_env(HALL_CONFIG=config_of(h))
    killed = kill_at(python(DRIVER, "deliver", "jiangnan", "0", "10"), "wrote#2", env=env)
    second = ids[1]
    assert killed.lines("progress wrote")[-1] == f"progress wrote {second!r}"
    assert sorted(inbox_ids(path)) == sorted(ids[:2])  # the legacy system has it; the hall has not settled it
    status = {r["event_id"]: r["status"] for r in h.in_tenant("jiangnan", lambda: OutboxEvent.select())}
    assert status == {ids[0]: "delivered", second: "delivering", ids[2]: "pending"}
    resumed = run_once(python(DRIVER, "deliver", "jiangnan", "11", "10"), env=env)  # restarted after the claim timeout
    assert resumed.returncode == 0 and "freed 1" in resumed.output
    assert f"progress wrote {second!r}" in resumed.lines()  # written again ...
    assert sorted(inbox_ids(path)) == sorted(ids)  # ... and applied once
    rows = {r["event_id"]: r for r in h.in_tenant("jiangnan", lambda: OutboxEvent.select())}
    assert {r["status"] for r in rows.values()} == {"delivered"} and rows[second]["attempts"] == 2
