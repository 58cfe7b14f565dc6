"""The job ``dialup.enforce``: accounts whose hours or money ran out are stopped in RADIUS (and started again
once renewed), and paid renewals and paid openings not yet provisioned are pushed."""

from __future__ import annotations

import logging

from core.api.db import tenant_scope

from .accounts import sync
from .opening import provision_now
from .radius_db import RadiusDbError
from .renewals import push_paid, refund_closed
from .tables import ACTIVE, ORDERED, DialupAccount

log = logging.getLogger("hall.dialup")


async def enforce_tenant(hall, tenant) -> int:
    """One pass over the tenant's open accounts; returns how many were checked."""
    await refund_closed(hall)
    checked = 0
    for account in await DialupAccount.select().where(DialupAccount.state.is_in([ACTIVE, ORDERED])):
        try:
            if account["state"] == ORDERED:
                await provision_now(hall, tenant, account)
                continue
            await push_paid(hall, tenant, account)
            if account["kind"] != "unlimited":
                await sync(hall, tenant, account)
            checked += 1
        except RadiusDbError as exc:
            log.warning("tenant %s: dial-up accounts not checked: %s", tenant.id, exc)
            break
    return checked


async def enforce(hall, tenant_id: str) -> None:
    tenant = hall.tenants.get(tenant_id)
    if not tenant.enables("dialup") or not tenant.plugin_settings("dialup").radius_db:
        return
    with tenant_scope(tenant):
        await enforce_tenant(hall, tenant)
