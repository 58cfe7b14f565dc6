"""Jobs: the same idempotent functions on procrastinate (PostgreSQL) and in-process (SQLite)."""

from __future__ import annotations

from core.jobs import make_runner
from core.notify.outbox import queue
from core.notify.tables import Message


def _pending_email(hall, tenant_id: str, to: str) -> None:
    hall.in_tenant(tenant_id, queue, channel="email", recipient=to, subject="retry me", body_text="code 123456")


def test_undelivered_messages_are_retried_by_the_job_engine(hall, mail_sink):
    _pending_email(hall, "alpha", "retry@example.com")
    _pending_email(hall, "beta", "retry-beta@example.com")
    runner = make_runner(hall.hall)

    async def go():
        if runner.kind == "procrastinate":
            await runner.start()
            try:
                await runner.defer("core.deliver_messages", None)
            finally:
                await runner.stop()
            await runner.work(wait=False)  # a `hall worker` run that stops when the queue is empty
        else:
            assert "core.deliver_messages" in await runner.run_due()

    hall.run(go())
    assert mail_sink.wait_for("retry@example.com")["Subject"] == "retry me"
    assert mail_sink.wait_for("retry-beta@example.com")
    statuses = hall.in_tenant("alpha", lambda: Message.select(Message.status))
    assert [s["status"] for s in statuses] == ["sent"]


def test_running_a_job_twice_sends_nothing_twice(hall, mail_sink):
    _pending_email(hall, "alpha", "once@example.com")
    runner = make_runner(hall.hall)
    hall.run(runner.run_now("core.deliver_messages"))
    hall.run(runner.run_now("core.deliver_messages"))
    assert len(mail_sink.to("once@example.com")) == 1


def test_housekeeping_forgets_expired_sessions(hall):
    import datetime as dt

    from core.auth.tables import Session

    async def seed():
        past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
        await Session.insert(
            Session(token_hash="x" * 64, kind="customer", principal_id=1, data={}, created_at=past, expires_at=past)
        )

    hall.in_tenant("alpha", seed)
    hall.run(make_runner(hall.hall).run_now("core.housekeeping"))
    assert hall.in_tenant("alpha", lambda: Session.count()) == 0


def test_housekeeping_forgets_throttle_rows_past_their_keep_time(hall):
    import datetime as dt

    from core.auth import login_guard, throttle
    from core.auth.tables import ThrottleEvent

    now = dt.datetime.now(dt.timezone.utc)

    async def seed():
        await throttle.reserve(throttle.Rule("old", dt.timedelta(hours=1), limit=5))
        await ThrottleEvent.update({ThrottleEvent.keep_until: now - dt.timedelta(minutes=1)}).where(
            ThrottleEvent.key == "old"
        )
        await throttle.reserve(throttle.Rule("fresh", dt.timedelta(hours=1), limit=5))
        await throttle.remember("login:known:a1|192.0.2.1", login_guard.KNOWN_FOR)

    hall.in_tenant("alpha", seed)
    hall.run(make_runner(hall.hall).run_now("core.housekeeping"))
    kept = hall.in_tenant("alpha", lambda: ThrottleEvent.select(ThrottleEvent.key))
    assert sorted(r["key"] for r in kept) == ["fresh", "login:known:a1|192.0.2.1"]
