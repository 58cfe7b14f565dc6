"""What operators do to the legacy seam from the console: replay a dead outbox event, sync now, retry the quarantine.

Each action is audited here, with the change it makes (docs/architecture.md, "The request path"); the pages
``routes_outbox.py`` and ``routes_sync.py`` parse, authorise and render.
"""

from __future__ import annotations

from core.db import transaction
from core.legacy.outbox import replay
from core.legacy.outbox_tables import OutboxEvent
from core.web.audit_helpers import Auditor

SNAPSHOT = (OutboxEvent.event_id, OutboxEvent.kind, OutboxEvent.status, OutboxEvent.attempts, OutboxEvent.last_error)


async def replay_event(auditor: Auditor, row_id: int) -> bool | None:
    """Replay the dead outbox event of row ``row_id``: True when it was dead (audited), False when not; None: no such event."""
    async with transaction():
        before = await OutboxEvent.select(*SNAPSHOT).where(OutboxEvent.id == row_id).first()
        if before is None:
            return None
        if not await replay(before["event_id"]):
            return False
        after = await OutboxEvent.select(*SNAPSHOT).where(OutboxEvent.id == row_id).first()
        await auditor.record(
            "outbox.replay", object_type="outbox_event", object_id=before["event_id"], before=before, after=after
        )
        return True


async def sync_now(jobs, auditor: Auditor, tenant, kind: str) -> None:
    """Queue a sync of ``kind`` (a job: a worker on PostgreSQL, this process on SQLite)."""
    await jobs.defer(f"core.sync_{kind}", tenant.id)
    await auditor.record("sync.run", object_type="sync", object_id=kind)


async def retry_quarantine(hall, auditor: Auditor, tenant, kind: str) -> None:
    """Re-read the quarantined rows of ``kind`` from the legacy system and validate them again."""
    if kind == "customers":
        from core.legacy.customer_sync import retry_customers

        result = await retry_customers(tenant, hall.connector(tenant), secret=hall.secret)
    else:
        from core.legacy.billing_sync import retry_quarantined

        result = await retry_quarantined(tenant, kind, hall.connector(tenant))
    await auditor.record("sync.retry_quarantine", object_type="sync", object_id=kind, after={"fetched": result.fetched})
