""" "Data as of …": when the synced legacy data on a customer's page was last brought up to date.

Pages that show synced data (the account page now; bills and calls pages of
plugins later) add ``**await data_as_of_context(request)`` to their context and
call the macro in their template::

    {% from "_data_as_of.html" import data_as_of with context %}
    {{ data_as_of("bills") }}

The time is the kind's last successful sync (``SyncState.last_success_at``):
rows unchanged upstream are not rewritten, so a row's own ``synced_at`` says
when it last changed, not when it was last checked. It is shown in the user's
language and the tenant's time zone (``[tenant] timezone``); older than
``[legacy] stale_after_hours`` it says plainly that the data may be out of
date. When the kind's last change reconciliation (core.legacy.change_reconcile)
had to repair rows, the incremental sync is known to miss changes that the legacy
system stamps late, so its time vouches for nothing newer than that check: the
page shows the earlier of the two, and says why. Nothing is shown for a kind never synced (a tenant without a legacy
system). A page may add its own entries with :func:`as_of` (e.g. for one
number, the time its rows were synced) under any key the macro is then called with.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from babel import Locale
from babel.dates import format_date, format_time
from litestar import Request

from core.db.engine import fetch_scoped
from core.legacy.settings import legacy_settings, tenant_zone
from core.legacy.sync_jobs import KINDS
from core.localtime import utc_moment
from core.tenancy import Tenant
from core.web.context import info


_SELECT = (
    "SELECT kind, last_success_at, changes_checked_at, changes_repaired FROM core_sync_state "
    "WHERE tenant = {{tenant}} AND kind IN ({})"
)


@cache
def _locale(language: str) -> Locale:
    # Babel parses a locale given by name on every call (~0.1 ms, several times per date): once per language is enough.
    return Locale.parse(language)


def as_of(tenant: Tenant, moment: dt.datetime, language: str, now: dt.datetime | None = None) -> dict:
    """``{"text", "iso", "stale", "hours"}`` for the macro: ``moment`` in the tenant's zone and the user's language."""
    local = moment.astimezone(tenant_zone(tenant))
    hours = legacy_settings(tenant).stale_after_hours
    now = now or dt.datetime.now(dt.timezone.utc)
    locale = _locale(language)
    return {
        "text": f"{format_date(local, 'medium', locale=locale)} {format_time(local, 'HH:mm', locale=locale)}",
        "iso": local.isoformat(timespec="minutes"),
        "stale": now - moment > dt.timedelta(hours=hours),
        "hours": hours,
    }


async def data_as_of_context(request: Request, kinds: tuple[str, ...] = KINDS) -> dict:
    """``{"data_as_of_times": {kind: as_of(...)}}`` for the kinds ever synced successfully (one small query)."""
    ri = info(request)
    # Plain SQL (every bill and call-record page runs it), scoped to the current tenant by fetch_scoped.
    sql = _SELECT.format(", ".join("{}" for _ in kinds)) if kinds else None
    rows = await fetch_scoped(sql, *kinds) if sql else []
    return {
        "data_as_of_times": {
            r["kind"]: _vouched(ri.tenant, r, ri.language) for r in rows if r["last_success_at"] is not None
        }
    }


def _vouched(tenant: Tenant, row: dict, language: str) -> dict:
    """``as_of`` of the time the data can be vouched for: the last sync, or the last full check when that found misses."""
    synced, checked = row["last_success_at"], utc_moment(row.get("changes_checked_at"))
    if checked is not None and (row.get("changes_repaired") or 0) > 0 and checked < synced:
        return {**as_of(tenant, checked, language), "late": True}
    return {**as_of(tenant, synced, language), "late": False}
