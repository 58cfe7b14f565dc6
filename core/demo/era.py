"""When the demo data ends: the last complete month it bills (the anchor), given explicitly.

The generators never read the clock: a caller passes ``end_month``, so a seed
and an anchor always give the same file. ``hall demo`` and ``hall legacy-demo``
pass :func:`default_end_month` (last month, China time) unless told
``--end-month``, so the demo shows last month's bills; tests and benchmarks
pass :data:`FIXED_END_MONTH`.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

Month = tuple[int, int]  # (year, month)

FIXED_END_MONTH: Month = (2024, 5)  # what tests and benchmarks pass: the same data on any day
DEMO_ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")  # the demo operators' zone: "last month" is theirs


def add_months(month: Month, count: int) -> Month:
    """``month`` moved by ``count`` months (negative: back)."""
    index = month[0] * 12 + month[1] - 1 + count
    return index // 12, index % 12 + 1


def month_start(month: Month) -> dt.datetime:
    """Midnight of the month's first day (naive: the legacy systems' local time)."""
    return dt.datetime(month[0], month[1], 1)


def utc_now() -> dt.datetime:
    """The clock the CLI asks (tests replace ``core.demo.era.utc_now`` to pick "today")."""
    return dt.datetime.now(dt.timezone.utc)


def default_end_month() -> Month:
    """The CLI's anchor when none is given: last month, China time."""
    return last_complete_month(utc_now())


def last_complete_month(now: dt.datetime) -> Month:
    """The month before ``now``'s month in China (an aware ``now``; a naive one is taken as UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    local = now.astimezone(DEMO_ZONE)
    return add_months((local.year, local.month), -1)


def parse_month(text: str) -> Month:
    """``"2024-05"`` → ``(2024, 5)``; ValueError for anything else."""
    found = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month (YYYY-MM)")
    return int(found.group(1)), int(found.group(2))


def month_option(ctx, param, value: str | None) -> Month:
    """click callback of ``--end-month``: YYYY-MM, or last month when not given."""
    import click

    if value is None:
        return default_end_month()
    try:
        return parse_month(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
