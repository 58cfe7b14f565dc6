"""A tenant's ``[legacy]`` settings (call retention, reconciliation safety valve, staleness), defaults when unset."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from core.config.schema import LegacySection
from core.tenancy import Tenant

DEFAULTS = LegacySection()


def legacy_settings(tenant: Tenant | None) -> LegacySection:
    """Tenants built by tests or tools without a tenant.toml carry ``legacy=None``: they get the defaults."""
    return (getattr(tenant, "legacy", None) if tenant is not None else None) or DEFAULTS


def tenant_zone(tenant: Tenant | None) -> dt.tzinfo:
    """The tenant's zone (core.localtime, the one place); the default zone without a tenant."""
    from core.localtime import DEFAULT_ZONE, zone_of

    return zone_of(tenant) if tenant is not None else zoneinfo.ZoneInfo(DEFAULT_ZONE)
