"""Log-in throttling per account and per address, counted in the database (shared by all workers)."""

from __future__ import annotations

import datetime as dt
import hashlib

from core.auth.tables import ThrottleEvent

KEY_LENGTH = 160  # ThrottleEvent.key's column


def _key(key: str) -> str:
    """Keys carry what was typed (a log-in name): past the column, a digest of it (PostgreSQL refuses longer text)."""
    return key if len(key) <= KEY_LENGTH else key[:KEY_LENGTH - 65] + "#" + hashlib.sha256(key.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def failures(key: str, window_minutes: int) -> int:
    since = _now() - dt.timedelta(minutes=window_minutes)
    return await ThrottleEvent.count().where((ThrottleEvent.key == _key(key)) & (ThrottleEvent.at > since))


async def is_throttled(keys: dict[str, int], window_minutes: int) -> bool:
    """``keys`` maps a throttle key to the failures it may have in the window."""
    for key, limit in keys.items():
        if await failures(key, window_minutes) >= limit:
            return True
    return False


async def record_failure(*keys: str) -> None:
    await ThrottleEvent.insert(*[ThrottleEvent(key=_key(k), at=_now()) for k in keys])


async def clear(key: str) -> None:
    await ThrottleEvent.delete().where(ThrottleEvent.key == _key(key))


async def prune(older_than_minutes: int) -> int:
    """Housekeeping: forget old events (run by a scheduled job)."""
    cutoff = _now() - dt.timedelta(minutes=older_than_minutes)
    rows = await ThrottleEvent.delete().where(ThrottleEvent.at < cutoff).returning(ThrottleEvent.id)
    return len(rows)
