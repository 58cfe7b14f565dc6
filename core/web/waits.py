"""Messages that tell a user when they may try again, with the time in the tenant's zone and the user's language."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_datetime, format_time
from litestar import Request

from core.auth import clock
from core.i18n import N_
from core.legacy.settings import tenant_zone
from core.web.context import info

LOGIN_WAIT = N_("Too many failed attempts. You can try again after %(time)s.")
SEND_WAIT = N_("A code was sent a moment ago, or too many were asked for. You can ask for a new code after %(time)s.")
GUESS_WAIT = N_("Too many wrong codes. You can try again after %(time)s.")


def until(request: Request, moment: dt.datetime) -> str:
    """``moment`` as the user reads it: the time of day if it is today (seconds included), else date and time."""
    ri = info(request)
    zone = tenant_zone(ri.tenant)
    local, today = moment.astimezone(zone), clock.now().astimezone(zone).date()
    if local.date() == today:
        return format_time(local, "HH:mm:ss", locale=ri.language)
    return format_datetime(local, "medium", locale=ri.language)
