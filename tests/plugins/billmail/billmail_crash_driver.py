"""A hall child for the billmail kill -9 tests (core.testing.crash): create the month's batch if needed, then send it.

    HALL_CONFIG=…/hall.toml python tests/plugins/billmail/billmail_crash_driver.py <tenant> <month> <minutes ahead>

The real BatchSender, with ``checkpoint("claimed")`` after each committed claim
and ``checkpoint("recorded")`` after each chunk's outcomes are written. Its
clock runs ``minutes ahead`` of the real one, so a restart finds the killed
sender's lease (lease_seconds) expired without waiting.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys

from core.api.db import tenant_scope
from core.hall import Hall
from core.testing.crash import checkpoint
from plugins.billmail.batches import create_batch
from plugins.billmail.sender import BatchSender


async def main(tenant_id: str, month: str, minutes_ahead: int) -> None:
    hall = Hall.from_config(os.environ["HALL_CONFIG"], connect_tenants=False)
    await hall.db.connect()
    tenant = hall.tenants.get(tenant_id)
    ahead = dt.timedelta(minutes=minutes_ahead)
    try:
        with tenant_scope(tenant):
            batch_id, _created = await create_batch(month)
            sender = BatchSender(
                hall, tenant, batch_id, clock=lambda: dt.datetime.now(dt.timezone.utc) + ahead, on_step=checkpoint
            )
            result = await sender.run()
            print(
                "done", result.status, result.sent, result.failed, result.uncertain, result.marked_uncertain, flush=True
            )
            if result.status != "done":
                raise SystemExit(3)
    finally:
        for connector in hall.connectors.values():
            await connector.close()
        await hall.db.disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
