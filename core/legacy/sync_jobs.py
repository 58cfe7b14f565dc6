"""Scheduled legacy sync: one job per kind, run for every tenant whose connector offers the port.

Each run is the same incremental, idempotent sync ``hall sync`` does; a failure
(legacy system down) is recorded in the tenant's SyncState by the engine and the
next tick simply tries again, so nothing is lost while the legacy side is away.

Daily housekeeping per tenant: the full reconciliation (rows deleted upstream,
core.legacy.reconcile) and call-record retention (core.legacy.retention).
"""

from __future__ import annotations

import logging

from core.jobs.spec import Job
from core.legacy.ports import CustomerSource

log = logging.getLogger("hall.legacy.sync")
KINDS = ("customers", "bills", "calls")


def offers(connector, kind: str) -> bool:
    if connector is None:
        return False
    if kind == "customers":
        return isinstance(connector, CustomerSource)
    from core.legacy.billing_sync import supports

    return supports(connector, kind)


async def sync_one(hall, tenant_id: str, kind: str) -> None:
    tenant = hall.tenants.get(tenant_id)
    connector = hall.connector(tenant)
    if not offers(connector, kind):
        return
    try:
        if kind == "customers":
            from core.legacy.customer_sync import sync_customers

            await sync_customers(tenant, connector, secret=hall.secret)
        else:
            from core.legacy.billing_sync import sync_billing

            await sync_billing(tenant, connector, kind)
    except (ConnectionError, TimeoutError, OSError) as exc:
        # Legacy system away: the engine has recorded it in SyncState; the next tick tries again.
        log.warning("tenant %s: %s sync postponed, legacy system unreachable: %s", tenant_id, kind, exc)


def _job(kind: str):
    async def run(hall, tenant_id: str) -> None:
        await sync_one(hall, tenant_id, kind)

    run.__name__ = f"sync_{kind}"
    return run


async def reconcile_tenant(hall, tenant_id: str, kinds=KINDS, force: bool = False) -> list:
    """Reconcile every kind the tenant's connector can list; one kind's failure does not stop the others."""
    from core.legacy.reconcile import reconcilable, reconcile_kind

    tenant = hall.tenants.get(tenant_id)
    connector = hall.connector(tenant)
    results = []
    for kind in kinds:
        if not (offers(connector, kind) and reconcilable(connector, kind)):
            continue
        try:
            results.append(await reconcile_kind(tenant, connector, kind, force=force))
        except (ConnectionError, TimeoutError, OSError) as exc:  # recorded in SyncState; tomorrow tries again
            log.warning("tenant %s: %s reconciliation postponed, legacy system unreachable: %s", tenant_id, kind, exc)
    return results


async def purge_old_calls(hall, tenant_id: str) -> None:
    from core.legacy.retention import purge_old_calls as purge

    await purge(hall.tenants.get(tenant_id))


async def reconcile_daily(hall, tenant_id: str) -> None:
    await reconcile_tenant(hall, tenant_id)


SYNC_JOBS = [
    Job("core.sync_customers", _job("customers"), every_minutes=15),
    Job("core.sync_bills", _job("bills"), every_minutes=60),
    Job("core.sync_calls", _job("calls"), every_minutes=15),
    Job("core.reconcile", reconcile_daily, every_minutes=24 * 60),
    Job("core.purge_old_calls", purge_old_calls, every_minutes=24 * 60),
]
