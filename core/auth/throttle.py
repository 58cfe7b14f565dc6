"""Throttles counted in the database (shared by all workers), exact under concurrent attempts.

Every attempt is a row in ``core_throttle_event`` under one or more keys
(``login:pair:a12|203.0.113.7``, ``send:dest:…``), and a :class:`Rule` says how
many rows a key may gather in a sliding window and how long the next attempt
must wait. :func:`reserve` decides and records an attempt in one transaction
that first takes a lock per key - ``pg_advisory_xact_lock`` on PostgreSQL,
the database write lock that ``BEGIN IMMEDIATE`` takes on SQLite - so
count-then-insert cannot interleave with another attempt on the same key:
30 concurrent attempts against a limit of 5 give exactly 5 passes, in any
worker. (Counting a window of rows is not a single conditional UPDATE; a
lock held for three short statements is the simplest exact form. Different
keys never wait for each other on PostgreSQL.) Refused attempts leave no
row, so hammering a refused key does not push its wait further out. The
attempt is reserved *before* the guarded check (password, code, send), so
the check runs only for attempts that were counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from piccolo.engine.postgres import PostgresEngine

from core.auth import clock
from core.auth.tables import ThrottleEvent
from core.db import piccolo_conf
from core.db.engine import fetch, transaction
from core.tenancy import current_tenant

KEY_LENGTH = 160  # ThrottleEvent.key's column


def _key(key: str) -> str:
    """Keys carry what was typed (a log-in name): past the column, a digest of it (PostgreSQL refuses longer text)."""
    return key if len(key) <= KEY_LENGTH else key[: KEY_LENGTH - 65] + "#" + hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Rule:
    """How many attempts one key may make: a cap per sliding window, and/or a growing wait between attempts.

    ``limit``: at most this many attempts within ``window`` (None: no cap).
    ``free`` / ``delay`` / ``max_delay``: once ``free`` attempts are in the window, the next one must wait
    ``delay`` after the latest, and the wait doubles with every further attempt, up to ``max_delay``.
    """

    key: str
    window: dt.timedelta
    limit: int | None = None
    free: int | None = None
    delay: dt.timedelta = dt.timedelta(0)
    max_delay: dt.timedelta = dt.timedelta(0)

    def wait_after(self, earlier: int) -> dt.timedelta | None:
        """The gap the next attempt needs after the latest one, when ``earlier`` attempts are in the window."""
        if self.free is None or earlier < self.free:
            return None
        return min(self.delay * (2 ** min(earlier - self.free, 30)), self.max_delay)


@dataclass
class Reservation:
    ok: bool
    retry_at: dt.datetime | None = None  # refused: the earliest moment the attempt may be made again
    ids: dict[str, int] = field(default_factory=dict)  # key → the row this attempt holds


async def _verdict(rule: Rule, now: dt.datetime) -> dt.datetime | None:
    """None if one more attempt may pass ``rule`` now, else when it may be tried again."""
    window = (ThrottleEvent.key == _key(rule.key)) & (ThrottleEvent.at > now - rule.window)
    earlier = await ThrottleEvent.count().where(window)
    retry: list[dt.datetime] = []
    if rule.limit is not None and earlier >= rule.limit:
        # a slot frees when the (earlier - limit + 1)-th oldest attempt leaves the window
        row = (
            await ThrottleEvent.select(ThrottleEvent.at)
            .where(window)
            .order_by(ThrottleEvent.at)
            .offset(earlier - rule.limit)
            .first()
        )
        retry.append((row["at"] if row else now) + rule.window)
    wait = rule.wait_after(earlier)
    if wait is not None:
        latest = (
            await ThrottleEvent.select(ThrottleEvent.at)
            .where(window)
            .order_by(ThrottleEvent.at, ascending=False)
            .first()
        )
        if latest and latest["at"] + wait > now:
            retry.append(latest["at"] + wait)
    return max(retry) if retry else None


def _lock_ids(keys: set[str]) -> list[int]:
    """One signed 64-bit advisory-lock id per (tenant, key), sorted so that two attempts always lock in the same order."""
    tenant = current_tenant()
    prefix = tenant.id if tenant is not None else ""
    return sorted(
        int.from_bytes(hashlib.blake2b(f"{prefix}|{k}".encode(), digest_size=8).digest(), "big", signed=True)
        for k in keys
    )


async def reserve(*rules: Rule) -> Reservation:
    """Count one attempt under every rule's key, all or nothing (see the module docstring)."""
    now = clock.now()
    async with transaction():
        if isinstance(piccolo_conf.DB, PostgresEngine):
            for lock_id in _lock_ids({_key(r.key) for r in rules}):
                await fetch("SELECT pg_advisory_xact_lock({})", lock_id)
        retry = [when for r in rules if (when := await _verdict(r, now)) is not None]
        if retry:
            return Reservation(False, max(retry))
        rows = await ThrottleEvent.insert(
            *[ThrottleEvent(key=_key(r.key), at=now, keep_until=now + r.window) for r in rules]
        ).returning(ThrottleEvent.id)
    return Reservation(True, None, {r.key: row["id"] for r, row in zip(rules, rows)})


async def release(reservation: Reservation, *keys: str) -> None:
    """Take back this attempt's rows under ``keys`` (the attempt turned out not to count, e.g. a right password)."""
    ids = [reservation.ids[k] for k in keys if k in reservation.ids]
    if ids:
        await ThrottleEvent.delete().where(ThrottleEvent.id.is_in(ids))


async def clear(key: str) -> None:
    """Forget every attempt under ``key`` (e.g. failures of an account from an address, after a right password)."""
    await ThrottleEvent.delete().where(ThrottleEvent.key == _key(key))


async def remember(key: str, keep: dt.timedelta) -> None:
    """A marker row kept for ``keep`` (e.g. an address the account logged in from); one row per key."""
    now = clock.now()
    await clear(key)
    await ThrottleEvent.insert(ThrottleEvent(key=_key(key), at=now, keep_until=now + keep))


async def remembered(key: str) -> bool:
    return await ThrottleEvent.exists().where(
        (ThrottleEvent.key == _key(key)) & (ThrottleEvent.keep_until > clock.now())
    )


async def prune() -> int:
    """Housekeeping (the ``core.housekeeping`` job): forget rows past their keep time."""
    now = clock.now()
    stale = (ThrottleEvent.keep_until < now) | (
        ThrottleEvent.keep_until.is_null() & (ThrottleEvent.at < now - dt.timedelta(days=2))
    )
    rows = await ThrottleEvent.delete().where(stale).returning(ThrottleEvent.id)
    return len(rows)
