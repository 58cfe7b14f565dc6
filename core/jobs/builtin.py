"""The core's own jobs: retry undelivered messages, collect SMS delivery reports, forget stale sessions, codes and throttle events."""

from __future__ import annotations

import datetime as dt

from core.jobs.spec import Job


async def deliver_messages(hall, tenant_id: str) -> None:
    from core.notify.outbox import deliver_pending

    await deliver_pending(hall.channels)


async def sms_reports(hall, tenant_id: str) -> None:
    """Delivery reports of SMS the provider accepted (SMPP receipts, the cloud's query API), recorded on the messages."""
    from core.notify.sms.delivery import poll_reports

    await poll_reports(hall.channels["sms"])


async def housekeeping(hall, tenant_id: str) -> None:
    from core.auth import throttle
    from core.auth.tables import OneTimeCode, Session

    now = dt.datetime.now(dt.timezone.utc)
    await Session.delete().where(Session.expires_at < now)
    await OneTimeCode.delete().where(OneTimeCode.expires_at < now - dt.timedelta(days=1))
    await throttle.prune()  # each row knows how long it matters (keep_until)
    from core.notify import quota

    await quota.prune()


CORE_JOBS = [
    Job("core.deliver_messages", deliver_messages, every_minutes=1),
    Job("core.sms_reports", sms_reports, every_minutes=1),
    Job("core.housekeeping", housekeeping, every_minutes=60),
]
