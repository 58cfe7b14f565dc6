"""Throttles counted in the database (shared by all workers), safe under concurrent attempts.

Every attempt is a row in ``core_throttle_event`` under one or more keys
(``login:pair:a12|203.0.113.7``, ``send:dest:…``). :func:`reserve` first
*inserts* the attempt's rows - each statement commits on its own - and only
then counts the other rows of each key. An attempt that finds its key over a
:class:`Rule` deletes its rows again and is refused. That is atomic without
locks: of the attempts that pass, the one that counted last saw every other
passer's row, so no more than ``limit`` (or ``free``) attempts can pass
however many run at once. Concurrent attempts may refuse each other too
(each sees the other's row before it is deleted): the error is always on
the safe side. Refused attempts leave no row, so hammering a refused key
does not push its wait further out. Never call it inside a transaction: the
rows must be visible to the other attempts before this one counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.auth import clock
from core.auth.tables import ThrottleEvent


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


async def _verdict(rule: Rule, mine: int, now: dt.datetime) -> dt.datetime | None:
    """None if this attempt may pass ``rule``, else when it may be tried again."""
    others = (ThrottleEvent.key == rule.key) & (ThrottleEvent.at > now - rule.window) & (ThrottleEvent.id != mine)
    earlier = await ThrottleEvent.count().where(others)
    retry: list[dt.datetime] = []
    if rule.limit is not None and earlier >= rule.limit:
        # a slot frees when the (earlier - limit + 1)-th oldest attempt leaves the window
        row = await ThrottleEvent.select(ThrottleEvent.at).where(others).order_by(ThrottleEvent.at).offset(earlier - rule.limit).first()
        retry.append((row["at"] if row else now) + rule.window)
    wait = rule.wait_after(earlier)
    if wait is not None:
        latest = await ThrottleEvent.select(ThrottleEvent.at).where(others).order_by(ThrottleEvent.at, ascending=False).first()
        if latest and latest["at"] + wait > now:
            retry.append(latest["at"] + wait)
    return max(retry) if retry else None


async def reserve(*rules: Rule) -> Reservation:
    """Count one attempt under every rule's key, all or nothing (see the module docstring)."""
    now = clock.now()
    rows = await ThrottleEvent.insert(
        *[ThrottleEvent(key=r.key[:160], at=now, keep_until=now + r.window) for r in rules]
    ).returning(ThrottleEvent.id)
    ids = {r.key: row["id"] for r, row in zip(rules, rows)}
    retry = [when for r in rules if (when := await _verdict(r, ids[r.key], now)) is not None]
    if retry:
        await ThrottleEvent.delete().where(ThrottleEvent.id.is_in(list(ids.values())))
        return Reservation(False, max(retry))
    return Reservation(True, None, ids)


async def release(reservation: Reservation, *keys: str) -> None:
    """Take back this attempt's rows under ``keys`` (the attempt turned out not to count, e.g. a right password)."""
    ids = [reservation.ids[k] for k in keys if k in reservation.ids]
    if ids:
        await ThrottleEvent.delete().where(ThrottleEvent.id.is_in(ids))


async def clear(key: str) -> None:
    """Forget every attempt under ``key`` (e.g. failures of an account from an address, after a right password)."""
    await ThrottleEvent.delete().where(ThrottleEvent.key == key[:160])


async def remember(key: str, keep: dt.timedelta) -> None:
    """A marker row kept for ``keep`` (e.g. an address the account logged in from); one row per key."""
    now = clock.now()
    await clear(key)
    await ThrottleEvent.insert(ThrottleEvent(key=key[:160], at=now, keep_until=now + keep))


async def remembered(key: str) -> bool:
    return await ThrottleEvent.exists().where((ThrottleEvent.key == key[:160]) & (ThrottleEvent.keep_until > clock.now()))


async def prune() -> int:
    """Housekeeping (the ``core.housekeeping`` job): forget rows past their keep time."""
    now = clock.now()
    stale = (ThrottleEvent.keep_until < now) | (ThrottleEvent.keep_until.is_null() & (ThrottleEvent.at < now - dt.timedelta(days=2)))
    rows = await ThrottleEvent.delete().where(stale).returning(ThrottleEvent.id)
    return len(rows)
