"""The scheduled job: notice a month whose bills are in, create its batch once, and send what is due in every open batch."""

from __future__ import annotations

from plugins.billmail.batches import create_batch, month_ready
from plugins.billmail.sender import BatchSender, new_owner
from plugins.billmail.tables import Batch


async def tick(hall, tenant_id: str) -> None:
    """Idempotent: a second run creates nothing, and finds the batch leased (busy) or nothing left to send."""
    tenant = hall.tenants.get(tenant_id)
    month = await month_ready()
    if month:
        await create_batch(month)
    for batch in await Batch.select(Batch.id).where(Batch.finished_at.is_null()).order_by(Batch.id):
        await BatchSender(hall, tenant, batch["id"], owner=new_owner("job")).run()
