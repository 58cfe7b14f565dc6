"""phone's jobs (run in the tenant's scope): expired holds released (every minute), long-distance switches
confirmed from the BSS's lines (every 5 minutes), the records older service requests left ended (every 15)."""

from __future__ import annotations


async def sweep_holds(hall, tenant_id: str, **_) -> int:
    from .holds import sweep

    return await sweep()


async def confirm_features(hall, tenant_id: str, **_) -> int:
    from .features import confirm, lines_of

    source = lines_of(hall, hall.tenants.get(tenant_id))
    return await confirm(source) if source is not None else 0


async def end_request_records(hall, tenant_id: str, **_) -> int:
    from .service import end_request_records as end

    return await end(hall, hall.tenants.get(tenant_id))
