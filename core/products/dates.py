"""When a change takes effect: "next month" is the first instant of next month in the tenant's time zone.

Stored in UTC like every time in the hall. The clock is ``core.products.model.now`` (tests replace it);
nothing here reads the machine's zone.
"""

from __future__ import annotations

import datetime as dt

from core.localtime import zone_of


def month_start(moment: dt.datetime, zone: dt.tzinfo, months_ahead: int = 0) -> dt.datetime:
    """The first instant of the month ``months_ahead`` after the one ``moment`` falls in (in ``zone``), in UTC."""
    local = moment.astimezone(zone)
    index = local.year * 12 + (local.month - 1) + months_ahead
    start = dt.datetime(index // 12, index % 12 + 1, 1)
    return start.replace(tzinfo=zone).astimezone(dt.timezone.utc)


def effective_at(rule: str, now: dt.datetime, tenant) -> dt.datetime:
    """``next_month``: the first instant of next month in the tenant's zone; ``immediate``: ``now``."""
    if rule == "immediate":
        return now
    return month_start(now, zone_of(tenant), 1)


def period_of(moment: dt.datetime, tenant) -> tuple[dt.datetime, dt.datetime]:
    """The calendar month (in the tenant's zone) that ``moment`` falls in, as [start, end) in UTC: a charge period."""
    zone = zone_of(tenant)
    return month_start(moment, zone), month_start(moment, zone, 1)
