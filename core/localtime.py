"""Times as people read them: stored in UTC, shown and exported in the tenant's zone.

Every time shown to staff or customers (pages, CSV exports, PDFs, messages)
goes through :func:`local` - in templates the ``localtime`` filter - with the
tenant's ``[tenant] timezone`` (default Asia/Shanghai). One place, so the audit
log and the payment page cannot show one refund at two different hours.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

DEFAULT_ZONE = "Asia/Shanghai"
FORMATS = {"minute": "%Y-%m-%d %H:%M", "second": "%Y-%m-%d %H:%M:%S", "date": "%Y-%m-%d", "month": "%Y-%m"}


@functools.lru_cache(maxsize=64)
def utc_moment(value) -> dt.datetime | None:
    """A stored timestamp as an aware UTC datetime: plain SQL on SQLite hands timestamps back as naive text."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value


def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (
        zoneinfo.ZoneInfoNotFoundError,
        ValueError,
    ):  # validated in tenant.toml; a tool-made tenant may carry anything
        return zoneinfo.ZoneInfo(DEFAULT_ZONE)


def zone_of(tenant=None) -> dt.tzinfo:
    """The tenant's zone; without a tenant, the current one (request, job or command), else the default. A zone is passed through."""
    if isinstance(tenant, dt.tzinfo):
        return tenant
    if tenant is None:
        from core.tenancy import current_tenant

        tenant = current_tenant()
    return _zone(getattr(tenant, "timezone", "") or DEFAULT_ZONE)


def to_local(moment: dt.datetime, tenant=None) -> dt.datetime:
    """An aware datetime in the tenant's zone; a naive one is taken as UTC (how the hall stores times)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(zone_of(tenant))


def local(moment: dt.datetime | None, tenant=None, fmt: str = "minute", empty: str = "") -> str:
    """``moment`` as text in the tenant's zone; ``fmt`` is minute | second | date | month or a strftime pattern."""
    if moment is None or moment == "":
        return empty
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if not isinstance(moment, dt.datetime):  # a date has no zone: shown as it is
        return moment.strftime(FORMATS.get(fmt, fmt))
    return to_local(moment, tenant).strftime(FORMATS.get(fmt, fmt))


def template_filter(tenant):
    """The Jinja ``localtime`` filter of one tenant's environments: ``{{ e.at|localtime("second") }}``."""
    return lambda moment, fmt="minute", empty="": local(moment, tenant, fmt, empty)
