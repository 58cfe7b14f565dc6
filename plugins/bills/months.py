"""Months as ``YYYY-MM`` text: parsing a month someone typed, and a month's start and end in the tenant's time zone."""

from __future__ import annotations

import datetime as dt
import re

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class BadMonth(ValueError):
    """The month is malformed, in the future or outside the window; ``message`` is a message id, ``params`` its values."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


def parse(text: str) -> tuple[int, int] | None:
    match = MONTH.match(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def shift(month: str, by: int) -> str:
    """``month`` moved ``by`` months (negative: earlier)."""
    year, mon = parse(month)  # type: ignore[misc]
    index = year * 12 + (mon - 1) + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def current(zone: dt.tzinfo, now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(zone).strftime("%Y-%m")


def bounds(month: str, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the month in the tenant's zone: a ``started_at`` range the (tenant, number, started_at) index serves."""
    year, mon = parse(month)  # type: ignore[misc]
    start = dt.datetime(year, mon, 1, tzinfo=zone)
    nyear, nmon = parse(shift(month, 1))  # type: ignore[misc]
    return start, dt.datetime(nyear, nmon, 1, tzinfo=zone)


def window(latest: str | None, months: int, zone: dt.tzinfo) -> list[str]:
    """The months that may be shown, newest first: ``months`` months ending at the latest bill (this month if none)."""
    anchor = latest or current(zone)
    return [shift(anchor, -i) for i in range(months)]


def check(text: str, allowed: list[str], zone: dt.tzinfo) -> str:
    """``text`` if it is a month in ``allowed``; raises :class:`BadMonth` saying what is wrong otherwise."""
    from core.api import N_

    if parse(text) is None:
        raise BadMonth(N_("“%(month)s” is not a month: write it as YYYY-MM, for example 2024-05."), month=text[:20])
    if text > current(zone):
        raise BadMonth(N_("%(month)s is in the future: there is no bill or call record for it yet."), month=text)
    if text not in allowed:
        raise BadMonth(
            N_("%(month)s is outside the months shown here (%(first)s to %(last)s)."),
            month=text,
            first=allowed[-1],
            last=allowed[0],
        )
    return text
