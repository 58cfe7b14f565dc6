"""Scheduled legacy sync: one job per kind, run for every tenant whose connector offers the port.

Each run is the same incremental, idempotent sync ``hall sync`` does; a failure
(legacy system down) is recorded in the tenant's SyncState by the engine and the
next tick simply tries again, so nothing is lost while the legacy side is away.
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


SYNC_JOBS = [
    Job("core.sync_customers", _job("customers"), every_minutes=15),
    Job("core.sync_bills", _job("bills"), every_minutes=60),
    Job("core.sync_calls", _job("calls"), every_minutes=15),
]
