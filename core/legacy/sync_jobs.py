"""Scheduled legacy sync: one job per kind, run for every tenant whose connector offers the port.

Each run is the same incremental, idempotent sync ``hall sync`` does; a failure
(legacy system down) is recorded in the tenant's SyncState by the engine and the
next tick simply tries again, so nothing is lost while the legacy side is away.

Daily housekeeping per tenant: the full reconciliation (rows deleted upstream,
core.legacy.reconcile) and call-record retention (core.legacy.retention).
Hourly, the change reconciliation (core.legacy.change_reconcile) runs for each
kind in ``[legacy] change_check_kinds`` that is due: its last run started
``change_check_every_hours`` ago, or was cut short and must continue.
"""

from __future__ import annotations

import datetime as dt
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


DUE_SLACK = dt.timedelta(minutes=15)  # an hourly tick a few seconds early still counts as on time


async def changes_due(kind: str, every_hours: int, now: dt.datetime) -> bool:
    """Whether ``kind`` (current tenant) needs a change reconciliation: never run, cut short, or last started long enough ago."""
    from core.legacy.tables import ChangeReconcileRun

    last = (
        await ChangeReconcileRun.select(ChangeReconcileRun.started_at, ChangeReconcileRun.finished_at)
        .where(ChangeReconcileRun.kind == kind)
        .order_by(ChangeReconcileRun.id, ascending=False)
        .first()
    )
    if last is None or last["finished_at"] is None or last["started_at"] is None:
        return True
    return now - last["started_at"] >= dt.timedelta(hours=every_hours) - DUE_SLACK


async def reconcile_changes_tenant(
    hall, tenant_id: str, kinds=None, *, only_due: bool = False, force: bool = False
) -> list:
    """Change-reconcile ``kinds`` (default: the tenant's ``change_check_kinds``); one kind's failure does not stop the others."""
    from core.legacy.change_reconcile import changes_checkable, reconcile_changes
    from core.legacy.settings import legacy_settings

    tenant = hall.tenants.get(tenant_id)
    connector = hall.connector(tenant)
    settings = legacy_settings(tenant)
    results = []
    for kind in kinds or settings.change_check_kinds:
        if not changes_checkable(connector, kind):
            continue
        if only_due:
            from core.tenancy import tenant_scope

            with tenant_scope(tenant):
                if not await changes_due(kind, settings.change_check_every_hours, dt.datetime.now(dt.timezone.utc)):
                    continue
        try:
            results.append(await reconcile_changes(tenant, connector, kind, secret=hall.secret, force=force))
        except (ConnectionError, TimeoutError, OSError) as exc:  # recorded on the run; the next tick continues it
            if not only_due:  # run by hand (`hall sync reconcile`): say so
                raise
            log.warning(
                "tenant %s: %s change reconciliation postponed, legacy system unreachable: %s", tenant_id, kind, exc
            )
    return results


async def reconcile_changes_hourly(hall, tenant_id: str) -> None:
    await reconcile_changes_tenant(hall, tenant_id, only_due=True)


SYNC_JOBS = [
    Job("core.sync_customers", _job("customers"), every_minutes=15),
    Job("core.sync_bills", _job("bills"), every_minutes=60),
    Job("core.sync_calls", _job("calls"), every_minutes=15),
    Job("core.reconcile", reconcile_daily, every_minutes=24 * 60),
    Job("core.purge_old_calls", purge_old_calls, every_minutes=24 * 60),
    Job("core.reconcile_changes", reconcile_changes_hourly, every_minutes=60),
]
