"""The outbox to the legacy system: written with the change, delivered once, retried, dead-lettered, replayed."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from outbox_support import NOW, Crash, deliver, emit_one, events, writes

from core.db import transaction
from core.jobs import make_runner
from core.legacy import outbox
from core.legacy.outbox import OutboxPolicy, backoff, deliver_due, emit, replay
from core.testing import TenantSpec


def test_an_event_commits_or_rolls_back_with_its_change(hall):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        hall.in_tenant("alpha", emit, "payment.posted", {"amount_fen": 1})

    async def failing_change():
        async with transaction():
            await emit("payment.posted", {"amount_fen": 1})
            raise ValueError("the change failed")

    with pytest.raises(ValueError):
        hall.in_tenant("alpha", failing_change)
    assert events(hall) == []
    event_id = emit_one(hall)
    [row] = events(hall)
    assert row["event_id"] == event_id and row["status"] == "pending" and row["payload"]["amount_fen"] == 5000
    assert events(hall, "beta") == []  # tenant-scoped like every table


def test_delivery_reaches_the_legacy_system_once(hall):
    event_id = emit_one(hall)
    result = deliver(hall)
    assert result.delivered == 1
    fake = hall.connectors["alpha"]
    assert fake.events == {event_id: ("payment.posted", {"number": "13900000001", "amount_fen": 5000})}
    [row] = events(hall)
    assert row["status"] == "delivered" and row["delivered_at"] is not None and row["attempts"] == 1
    assert deliver(hall).delivered == 0  # a second run has nothing to do
    assert writes(fake, event_id) == 1


def test_a_crash_after_the_legacy_write_does_not_duplicate_it(hall, monkeypatch):
    event_id = emit_one(hall)
    settle = outbox._settle

    async def crash(*args, **kwargs):
        raise Crash()

    monkeypatch.setattr(outbox, "_settle", crash)
    with pytest.raises(Crash):
        deliver(hall, now=NOW + dt.timedelta(days=1))
    monkeypatch.setattr(outbox, "_settle", settle)
    fake = hall.connectors["alpha"]
    assert event_id in fake.events
    assert events(hall)[0]["status"] == "delivering"  # the claim of the dead worker
    claimed = NOW + dt.timedelta(days=1)
    assert deliver(hall, now=claimed + outbox.CLAIM_TIMEOUT / 2).delivered == 0  # a live claim is left alone
    assert (
        deliver(hall, now=claimed + outbox.CLAIM_TIMEOUT + dt.timedelta(seconds=1)).delivered == 1
    )  # a stale one is freed and retried
    assert writes(fake, event_id) == 2 and len(fake.events) == 1  # written twice, applied once
    assert events(hall)[0]["status"] == "delivered"


def test_an_event_that_keeps_killing_the_worker_ends_dead(hall_factory, monkeypatch):
    h = hall_factory([TenantSpec("alpha", connector={"type": "fake", "writeback": {"max_attempts": 2}})])
    event_id = emit_one(h)

    async def crash(*args, **kwargs):
        raise Crash()

    monkeypatch.setattr(h.connectors["alpha"], "write_event", crash)
    for day in (1, 2):
        with pytest.raises(Crash):
            deliver(h, now=NOW + dt.timedelta(days=day))
    deliver(h, now=NOW + dt.timedelta(days=3))
    [row] = events(h)
    assert row["event_id"] == event_id and row["status"] == "dead" and "worker stopped" in row["last_error"]


def test_backoff_doubles_up_to_the_cap_with_jitter():
    policy = OutboxPolicy()
    assert [backoff(n, policy, lambda: 1.0).total_seconds() for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    assert backoff(1, policy, lambda: 0.0).total_seconds() == 22.5  # up to 25 % earlier, so failures spread out
    assert backoff(50, OutboxPolicy(retry_base_seconds=5, retry_max_seconds=100), lambda: 1.0).total_seconds() == 100


def test_failed_events_wait_out_their_backoff(hall):
    fake = hall.connectors["alpha"]
    fake.rejects["payment.posted"] = "account 13900000001 is closed"
    event_id = emit_one(hall)
    now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)
    assert deliver(hall, now=now).failed == 1
    [row] = events(hall)
    assert row["status"] == "pending" and row["attempts"] == 1 and "account 13900000001 is closed" in row["last_error"]
    assert row["next_attempt_at"] == now + dt.timedelta(seconds=30)
    assert deliver(hall, now=now + dt.timedelta(seconds=29)).failed == 0  # not due yet
    assert writes(fake, event_id) == 1
    assert deliver(hall, now=now + dt.timedelta(seconds=30)).failed == 1
    assert events(hall)[0]["next_attempt_at"] == now + dt.timedelta(seconds=30 + 60)
    assert writes(fake, event_id) == 2


def test_dead_after_max_attempts_with_the_reason_then_replayed(hall_factory):
    h = hall_factory([TenantSpec("alpha", connector={"type": "fake", "writeback": {"max_attempts": 3}})])
    fake = h.connectors["alpha"]
    fake.rejects["order.placed"] = "unknown product code 77"
    event_id = emit_one(h, kind="order.placed", payload={"product": 77})
    results = [deliver(h, now=NOW + dt.timedelta(days=i)) for i in range(1, 6)]
    assert [r.failed for r in results] == [1, 1, 0, 0, 0] and [r.dead for r in results] == [0, 0, 1, 0, 0]
    [row] = events(h)
    assert row["status"] == "dead" and row["attempts"] == 3 and "unknown product code 77" in row["last_error"]
    assert writes(fake, event_id) == 3

    assert h.in_tenant("alpha", replay, "no-such-event") is False
    del fake.rejects["order.placed"]  # the legacy side was fixed
    assert h.in_tenant("alpha", replay, event_id) is True
    assert h.in_tenant("alpha", replay, event_id) is False  # only a dead event is replayed
    assert events(h)[0]["status"] == "pending" and events(h)[0]["attempts"] == 0
    assert deliver(h).delivered == 1
    assert fake.events[event_id] == ("order.placed", {"product": 77})


def test_legacy_down_for_a_while_then_everything_catches_up(hall):
    fake = hall.connectors["alpha"]
    ids = [emit_one(hall, payload={"n": i}) for i in range(5)]
    fake.down = True
    for minute in range(1, 4):
        result = deliver(hall, now=NOW + dt.timedelta(days=1, minutes=minute))
        assert result.unavailable and result.delivered == 0
    rows = events(hall)
    assert {r["status"] for r in rows} == {"pending"} and {r["attempts"] for r in rows} == {
        0
    }  # an outage burns no attempts
    assert "unreachable" in rows[0]["last_error"]
    fake.down = False
    runner = make_runner(hall.hall)  # the scheduled job, for every tenant: procrastinate on PostgreSQL

    async def job_runs():
        if runner.kind == "procrastinate":
            await runner.start()
            try:
                await runner.defer("core.deliver_outbox", None)
            finally:
                await runner.stop()
            await runner.work(wait=False)
        else:
            await runner.run_now("core.deliver_outbox")

    hall.run(job_runs())
    assert sorted(fake.events) == sorted(ids)
    assert {r["status"] for r in events(hall)} == {"delivered"}


def test_concurrent_runs_deliver_each_event_once(hall):
    ids = [emit_one(hall, payload={"n": i}) for i in range(30)]
    fake = hall.connectors["alpha"]

    async def two_workers():
        return await asyncio.gather(deliver_due(hall.hall, "alpha"), deliver_due(hall.hall, "alpha"))

    first, second = hall.in_tenant("alpha", two_workers)
    assert first.delivered + second.delivered == 30
    assert all(writes(fake, i) == 1 for i in ids)
    assert {r["status"] for r in events(hall)} == {"delivered"}


def test_a_connector_without_the_writeback_port_leaves_events_waiting(hall):
    class ReadOnly:
        name = "read-only"

    emit_one(hall)
    hall.hall.connectors["alpha"] = ReadOnly()
    assert deliver(hall).delivered == 0
    assert events(hall)[0]["status"] == "pending" and events(hall)[0]["attempts"] == 0
