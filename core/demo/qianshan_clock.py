"""The qianshan demo BSS's calendar: where "now" is for it, when its batch jobs run, how it writes times.

Everything follows from the anchor month (core.demo.era): the BSS has billed
``end_month`` already (its bill run is the 2nd of the next month, 03:00) and
stands at the 10th of that next month, 18:30 - the month whose call records
are still coming in. Times are local (China) and written as text
``YYYYMMDDHH24MISS``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from core.demo.era import Month, add_months, month_start

CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")
MIGRATION = dt.datetime(2010, 3, 1, 2, 0, 0)  # the night the old systems' data was loaded into this BSS
STAMP = "%Y%m%d%H%M%S"


def stamp(moment: dt.datetime) -> str:
    return f"{moment:{STAMP}}"


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text.strip(), STAMP)


def current_month(end_month: Month) -> Month:
    """The month after the last billed one: its cycle is open, its call table filling."""
    return add_months(end_month, 1)


def bss_now(end_month: Month, today: dt.datetime | None = None) -> dt.datetime:
    """The BSS's "now" when generated: the 10th of the month after ``end_month``, 18:30 - or, when that is still
    ahead of the real (China) time ``today``, the real time to the minute, but never before the bill run.

    A demo BSS stamped days ahead would put the hall's watermark in the future, and every real change made
    afterwards would look late-stamped by days. Tests pin an ``end_month`` long past, so they see the 10th.
    """
    tenth = month_start(current_month(end_month)).replace(day=10, hour=18, minute=30)
    real = (today or dt.datetime.now(CHINA)).astimezone(CHINA).replace(tzinfo=None, second=0, microsecond=0)
    return max(min(tenth, real), bill_run(end_month) + dt.timedelta(hours=1))


def bill_run(month: Month) -> dt.datetime:
    """When ``month``'s bills were made: the 2nd of the next month, 03:00."""
    return month_start(add_months(month, 1)).replace(day=2, hour=3)


def due_day(month: Month) -> dt.date:
    """The last day to pay ``month``'s bill without a late fee: the 25th of the next month."""
    return month_start(add_months(month, 1)).date().replace(day=25)


def billed_months(months: int, end_month: Month) -> list[Month]:
    """The ``months`` billed months, oldest first, ending with ``end_month``."""
    return [add_months(end_month, -back) for back in range(months - 1, -1, -1)]
