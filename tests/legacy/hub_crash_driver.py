"""A hall child process for the kill -9 test of CustomerBillCreateEvent (core.testing.crash): the job function
``core.api_bill_events`` with small batches, a ``progress queued <n>`` line after each committed batch.

    HALL_CONFIG=…/hall.toml python tests/legacy/hub_crash_driver.py <tenant> <batch size>
"""

from __future__ import annotations

import asyncio
import os
import sys

from core.hall import Hall
from core.tenancy import tenant_scope
from core.testing.crash import checkpoint
from core.tmf import bill_events


async def main(tenant_id: str, batch: int) -> None:
    hall = Hall.from_config(os.environ["HALL_CONFIG"])
    await hall.db.connect()
    try:
        with tenant_scope(hall.tenants.get(tenant_id)):
            told = await bill_events.queue_new_bills(
                hall, tenant_id, limit=batch, progress=lambda n: checkpoint("queued", str(n))
            )
        print("done", told, "told", flush=True)
    finally:
        for connector in hall.connectors.values():
            await connector.close()
        await hall.db.disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
