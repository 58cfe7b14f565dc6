"""The core's own jobs: retry undelivered messages, forget stale sessions, codes and throttle events."""

from __future__ import annotations

import datetime as dt

from core.jobs.spec import Job


async def deliver_messages(hall, tenant_id: str) -> None:
    from core.notify.outbox import deliver_pending

    await deliver_pending(hall.channels)


async def housekeeping(hall, tenant_id: str) -> None:
    from core.auth import throttle
    from core.auth.tables import OneTimeCode, Session

    now = dt.datetime.now(dt.timezone.utc)
    await Session.delete().where(Session.expires_at < now)
    await OneTimeCode.delete().where(OneTimeCode.expires_at < now - dt.timedelta(days=1))
    await throttle.prune()  # each row knows how long it matters (keep_until)


CORE_JOBS = [
    Job("core.deliver_messages", deliver_messages, every_minutes=1),
    Job("core.housekeeping", housekeeping, every_minutes=60),
]
