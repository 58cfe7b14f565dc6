"""Limits on failed card top-ups, counted in the database through the core's throttle (every worker sees them).

Three keys, each counted *before* the card is checked (so concurrent guesses
cannot slip past) and given back when the attempt succeeds:

- the client address: ``address_hourly_failures`` an hour;
- the logged-in customer: ``account_daily_failures`` a day (only their own guesses count);
- the number: ``number_daily_failures`` a day - but never for the number's own
  logged-in holder, so a stranger guessing onto someone's number can lock out
  other strangers, not the holder (the limit cannot be turned against the owner).

A refused attempt is a lock-out: written as an operator alert (once while open).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from core.api.web import ThrottleRule, reserve_attempt
from plugins.shop.alerts import raise_alert


class LockedOut(Exception):
    def __init__(self, retry_at: dt.datetime | None, keys: list[str]):
        super().__init__("locked out")
        self.retry_at, self.keys = retry_at, keys


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def rules(settings, *, address: str, customer_id: str, number: str, own: bool) -> list[ThrottleRule]:
    found = [ThrottleRule(f"shop:redeem:addr:{address}", dt.timedelta(hours=1), limit=settings.address_hourly_failures)]
    if customer_id:
        found.append(
            ThrottleRule(
                f"shop:redeem:cust:{_digest(customer_id)}", dt.timedelta(days=1), limit=settings.account_daily_failures
            )
        )
    if number and not own:
        found.append(
            ThrottleRule(f"shop:redeem:num:{number}", dt.timedelta(days=1), limit=settings.number_daily_failures)
        )
    return found


async def reserve_failure(settings, *, address: str, customer_id: str, number: str, own: bool):
    """Count this attempt as a failure under every key (given back on success); LockedOut when a key is full."""
    wanted = rules(settings, address=address, customer_id=customer_id, number=number, own=own)
    held = await reserve_attempt(*wanted)
    if not held.ok:
        full = [] if len(wanted) > 1 else [wanted[0].key]
        for rule in wanted if len(wanted) > 1 else ():  # which key is full: ask each alone (refused asks leave no row)
            probe = await reserve_attempt(rule)
            if probe.ok:
                await _give_back(probe)
            else:
                full.append(rule.key)
        for key in full:
            await raise_alert("lockout", key.removeprefix("shop:redeem:"), f"until {held.retry_at:%Y-%m-%d %H:%M} UTC")
        raise LockedOut(held.retry_at, full)
    return held


async def _give_back(held) -> None:
    from core.api.web import release_attempt

    await release_attempt(held, *held.ids)


async def forgive(held) -> None:
    """The attempt succeeded: it is not a failure under any key."""
    await _give_back(held)
