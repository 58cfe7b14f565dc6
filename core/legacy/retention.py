"""Call-record retention (PIPL: personal data is kept no longer than needed).

A daily housekeeping job deletes the tenant's call records that started more
than ``[legacy] call_retention_months`` months ago (counted in calendar months
in the tenant's time zone). It deletes in chunks, each in its own short
transaction, so a million old rows never lock the table or sit in memory, and
a run cut short simply continues next time. Keep ``connector.calls.months`` at
or below the retention: a full sync would otherwise fetch old records again
(the next housekeeping run removes them).
"""

from __future__ import annotations

import datetime as dt
import logging

from core.db import transaction
from core.legacy.billing_tables import CallRecord
from core.legacy.settings import legacy_settings, tenant_zone
from core.tenancy import Tenant, tenant_scope

log = logging.getLogger("hall.legacy.retention")

CHUNK = 5000


def months_back(moment: dt.datetime, months: int) -> dt.datetime:
    """The same local time ``months`` calendar months earlier (the 31st becomes the month's last day)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month += 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (following - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def retention_cutoff(tenant: Tenant, now: dt.datetime | None = None) -> dt.datetime:
    """Call records that started before this are past retention."""
    now = now or dt.datetime.now(dt.timezone.utc)
    local = now.astimezone(tenant_zone(tenant))
    return months_back(local, legacy_settings(tenant).call_retention_months).astimezone(dt.timezone.utc)


async def purge_old_calls(tenant: Tenant, *, now: dt.datetime | None = None, chunk: int = CHUNK) -> int:
    """Delete the tenant's call records past retention; returns how many."""
    cutoff = retention_cutoff(tenant, now)
    removed = 0
    with tenant_scope(tenant):
        while True:
            rows = await CallRecord.select(CallRecord.id).where(CallRecord.started_at < cutoff).limit(chunk)
            if not rows:
                break
            async with transaction():
                await CallRecord.delete().where(CallRecord.id.is_in([r["id"] for r in rows]))
            removed += len(rows)
    if removed:
        log.info("tenant %s: %d call records older than %s deleted (retention)", tenant.id, removed, cutoff.date())
    return removed
