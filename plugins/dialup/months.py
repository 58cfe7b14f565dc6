"""Months as customers read them: in the tenant's zone, ``YYYY-MM``, with their UTC bounds."""

from __future__ import annotations

import datetime as dt
import re

from core.api import zone_of

UTC = dt.timezone.utc
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def current_month(tenant, now: dt.datetime) -> str:
    return now.astimezone(zone_of(tenant)).strftime("%Y-%m")


def parse_month(text: str) -> tuple[int, int] | None:
    found = MONTH.match(text or "")
    if not found or not (2000 <= int(found.group(1)) <= 2100):
        return None
    return int(found.group(1)), int(found.group(2))


def bounds(tenant, year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The month's first instant and the next month's, in UTC (the tenant's midnight)."""
    zone = zone_of(tenant)
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def neighbours(year: int, month: int) -> tuple[str, str]:
    before = (year - (month == 1), (month - 2) % 12 + 1)
    after = (year + (month == 12), month % 12 + 1)
    return f"{before[0]:04d}-{before[1]:02d}", f"{after[0]:04d}-{after[1]:02d}"


def duration(seconds: int) -> str:
    """H:MM:SS - how long a session lasted, the same in every language."""
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def size(octets: int) -> str:
    """Bytes for people: KB, MB, GB (1024-based, one decimal)."""
    value = float(max(0, int(octets)))
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
