"""SMS rate limits: one counter row per (tenant, scope, window), taken atomically.

``take`` is a single ``INSERT … ON CONFLICT DO UPDATE … WHERE used < limit RETURNING``:
no read-then-write, so any number of workers on any number of machines never let more
than ``limit`` through in one window (tests/notify/test_sms_rate_limit.py proves it with
concurrent senders on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt

from core.db.engine import fetch_scoped

TAKE = (
    "INSERT INTO core_sms_quota (tenant, scope, window_start, used) VALUES ({tenant}, {}, {}, 1) "
    "ON CONFLICT (tenant, scope, window_start) DO UPDATE SET used = core_sms_quota.used + 1 "
    "WHERE core_sms_quota.used < {} RETURNING used"
)


def window_start(now: dt.datetime, seconds: int) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, dt.timezone.utc)


async def take(scope: str, limit: int, window_seconds: int, now: dt.datetime | None = None) -> bool:
    """Count one SMS against ``scope`` in the current window; False when the window's ``limit`` is used up."""
    start = window_start(now or dt.datetime.now(dt.timezone.utc), window_seconds)
    rows = await fetch_scoped(TAKE, scope[:80], start, limit)
    return bool(rows)


async def prune(older_than: dt.timedelta = dt.timedelta(days=2)) -> None:
    from core.notify.tables import SmsQuota

    await SmsQuota.delete().where(SmsQuota.window_start < dt.datetime.now(dt.timezone.utc) - older_than)
