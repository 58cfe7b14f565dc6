"""Limits against abuse of the public top-up page, counted in the database (shared by every worker).

- Per client address: look-ups and payments started per hour, through the
  core's throttle (one row per attempt, reserved before the number is looked
  up, exact under concurrent requests; refused attempts leave no row).
- Per service number: paid top-ups per day (the tenant's calendar day), by
  count and by amount, refunds taken off. Only money actually taken counts:
  a payment started and never paid blocks nobody, so a stranger cannot use
  the limits to stop the holder topping up. Nothing here limits paying bills
  (billpay), at the counter or anywhere else. docs/topup.md explains the choice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.api import N_, format_fen
from core.api.payments import now
from core.api.web import FieldErrors, ThrottleRule, reserve_attempt
from plugins.topup.tables import REFUNDED_STATE, TopUp

HOUR = dt.timedelta(hours=1)
TOO_MANY_ATTEMPTS = N_("Too many top-up attempts from your network. You can try again after %(time)s.")
COUNT_REACHED = N_(
    "The number %(number)s has received %(count)s top-ups today, the most allowed in one day. Please try again tomorrow."
)
AMOUNT_REACHED = N_(
    "Top-ups to %(number)s are limited to ¥%(limit)s a day; at most ¥%(left)s more can be paid onto it today."
)


class TooManyAttempts(Exception):
    """This address has used its attempts for the hour; ``retry_at`` is when one frees up."""

    def __init__(self, retry_at: dt.datetime):
        super().__init__(f"too many attempts until {retry_at.isoformat()}")
        self.retry_at = retry_at


class DailyLimit(Exception):
    """The number has received as many top-ups today as it may; ``message`` is a message id, ``params`` its values."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


async def count_attempt(settings, address: str) -> None:
    """One look-up or payment from ``address``, counted before it is made; TooManyAttempts when the hour is used up."""
    held = await reserve_attempt(ThrottleRule(f"topup:addr:{address}", HOUR, limit=settings.address_hourly_attempts))
    if not held.ok:
        raise TooManyAttempts(held.retry_at)


def day_start(zone, at: dt.datetime) -> dt.datetime:
    """The start of ``at``'s calendar day in the tenant's zone, in UTC (how times are stored)."""
    local = at.astimezone(zone)
    return dt.datetime.combine(local.date(), dt.time(), zone).astimezone(dt.timezone.utc)


@dataclass(frozen=True)
class Today:
    count: int  # paid top-ups not refunded in full
    fen: int  # their amounts less what was refunded


async def paid_today(number: str, zone, at: dt.datetime | None = None) -> Today:
    rows = await TopUp.select(TopUp.amount_fen, TopUp.refunded_fen).where(
        (TopUp.number == number) & (TopUp.paid_at >= day_start(zone, at or now())) & (TopUp.state != REFUNDED_STATE)
    )
    return Today(len(rows), sum(int(r["amount_fen"]) - int(r["refunded_fen"]) for r in rows))


async def check_number(settings, number: str, amount_fen: int, zone, at: dt.datetime | None = None) -> None:
    """DailyLimit when one more paid top-up would pass the count; FieldErrors on the amount when it would pass the sum."""
    today = await paid_today(number, zone, at)
    if today.count >= settings.number_daily_count:
        raise DailyLimit(COUNT_REACHED, number=number, count=today.count)
    if today.fen + amount_fen > settings.number_daily_fen:
        problems = FieldErrors()
        problems.add(
            "amount",
            AMOUNT_REACHED,
            number=number,
            limit=format_fen(settings.number_daily_fen),
            left=format_fen(max(settings.number_daily_fen - today.fen, 0)),
        )
        raise problems
