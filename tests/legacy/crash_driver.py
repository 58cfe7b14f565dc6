"""A hall child process for the kill -9 tests (core.testing.crash): the real sync or outbox delivery, with progress lines.

    HALL_CONFIG=…/hall.toml python tests/legacy/crash_driver.py sync <tenant> <kind> <batch size>
    HALL_CONFIG=…/hall.toml python tests/legacy/crash_driver.py deliver <tenant> <minutes ahead> <limit>

``hall sync`` pages in thousands and draws a progress bar; this runs the same
functions with small pages and passes a checkpoint (core.testing.crash: a
``progress …`` line) after each read from the legacy system (``read <kind>``
with the watermark it read after; the engine may read a page ahead while it
writes the one before) and after each write into it (``wrote`` with the event
id: the legacy inbox has it, the hall does not know yet), so the test can kill
it anywhere in the next step or exactly there. ``deliver`` runs the
``core.deliver_outbox`` job function until nothing is due, with its clock
``minutes ahead`` of the real one: each restart comes after the claim timeout
of the killed run, as it would after a real crash and restart.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import os
import sys

from core.hall import Hall
from core.legacy.ports import LegacyWriter
from core.tenancy import tenant_scope
from core.testing.crash import checkpoint

SOURCES = {"customers": "customers_changed_since", "bills": "bills_changed_since", "calls": "calls_after"}


def say(*words) -> None:
    print(*words, flush=True)


def traced(method, label: str):
    @functools.wraps(method)
    async def call(*args, **kwargs):
        result = await method(*args, **kwargs)
        checkpoint(label, repr(args[0]))
        return result

    return call


async def sync(hall: Hall, tenant_id: str, kind: str, batch: int) -> None:
    tenant = hall.tenants.get(tenant_id)
    connector = hall.connector(tenant)
    setattr(connector, SOURCES[kind], traced(getattr(connector, SOURCES[kind]), f"read {kind}"))
    if kind == "customers":
        from core.legacy.customer_sync import sync_customers

        result = await sync_customers(tenant, connector, secret=hall.secret, batch_size=batch)
    else:
        from core.legacy.billing_sync import sync_billing

        result = await sync_billing(tenant, connector, kind, batch_size=batch)
    say("done", kind, result.fetched, "fetched")


async def deliver(hall: Hall, tenant_id: str, minutes_ahead: int, limit: int) -> None:
    from core.legacy.outbox import OutboxPolicy, deliver_due, free_stale_claims

    tenant = hall.tenants.get(tenant_id)
    writer = hall.connector(tenant)
    assert isinstance(writer, LegacyWriter), "the tenant's connector has no writeback port"
    writer.write_event = traced(writer.write_event, "wrote")
    now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes_ahead)
    with tenant_scope(tenant):
        say("freed", await free_stale_claims(OutboxPolicy.for_tenant(tenant), now))
        delivered = 0
        while (result := await deliver_due(hall, tenant_id, limit, now=now)).delivered:
            delivered += result.delivered
    say("done", delivered, "delivered")


async def main(argv: list[str]) -> None:
    hall = Hall.from_config(os.environ["HALL_CONFIG"])
    await hall.db.connect()
    try:
        if argv[0] == "sync":
            await sync(hall, argv[1], argv[2], int(argv[3]))
        elif argv[0] == "deliver":
            await deliver(hall, argv[1], int(argv[2]), int(argv[3]))
        else:
            raise SystemExit(f"unknown mode {argv[0]!r}")
    finally:
        for connector in hall.connectors.values():
            await connector.close()
        await hall.db.disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
