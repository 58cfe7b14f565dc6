"""Flood limits for submissions, counted in the database (any worker may receive any request)."""

from __future__ import annotations

import datetime as dt

from plugins.service.tables import Submission

WINDOW = dt.timedelta(hours=1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def over_limit(limits: dict[str, int]) -> bool:
    """``limits`` maps a key (``customer:12``, ``addr:1.2.3.4``) to the submissions it may make per hour."""
    since = _now() - WINDOW
    for key, limit in limits.items():
        if await Submission.count().where((Submission.key == key) & (Submission.at > since)) >= limit:
            return True
    return False


async def record(*keys: str) -> None:
    await Submission.insert(*[Submission(key=k[:100], at=_now()) for k in keys])


async def prune(hall, tenant_id: str, **_) -> int:
    """Job (run in the tenant's scope): forget submissions older than the window; idempotent."""
    rows = await Submission.delete().where(Submission.at < _now() - 2 * WINDOW).returning(Submission.id)
    return len(rows)
