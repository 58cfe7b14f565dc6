"""A hall child process for the payment kill -9 tests (core.testing.crash): one notification, settled and delivered.

    HALL_CONFIG=…/hall.toml python tests/payments/pay_crash_driver.py <tenant> <minutes ahead> [--together] <intent id>:<fen> ...

For each intent, the fake gateway's signed "paid" notification goes through
the real handler (verify, settle); the owning plugin's fulfilment passes
``checkpoint("notified")`` first - inside the settlement's transaction, after
the intent's conditional UPDATE - and ``checkpoint("fulfilled")`` follows the
commit. Then the ``core.deliver_outbox`` job function runs until nothing is
due (its clock ``minutes ahead``, past the claim timeout of a killed run), with
``checkpoint("wrote")`` after each legacy write. With ``--together`` the
notifications arrive at once and are settled as one group commit: a kill at
the second ``notified`` is then a kill between a batch's first settlement and its commit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import shop_plugin  # noqa: E402

from core.hall import Hall  # noqa: E402
from core.hookspecs import hookimpl  # noqa: E402
from core.legacy.outbox import deliver_due  # noqa: E402
from core.payments import group_commit  # noqa: E402
from core.payments.notify import handle_notification  # noqa: E402
from core.payments.registry import provider_for  # noqa: E402
from core.tenancy import tenant_scope  # noqa: E402
from core.testing.crash import checkpoint  # noqa: E402
from core.testing.payments import FakePaymentPlugin  # noqa: E402


class CrashingShop:
    """The shop plugin, with a checkpoint where a crash hurts most: paid, not yet fulfilled, nothing committed."""

    @hookimpl
    def payment_succeeded(self, hall, tenant, intent):
        checkpoint("notified", intent.id)
        return shop_plugin.payment_succeeded(hall=hall, tenant=tenant, intent=intent)


def traced(method):
    @functools.wraps(method)
    async def call(event_id, kind, payload):
        await method(event_id, kind, payload)
        checkpoint("wrote", f"{kind} {event_id}")

    return call


def arrive_together(n: int) -> None:
    """The next n notifications wait, once their intent is read, until all are: they queue for the settler at once."""
    barrier, read = asyncio.Barrier(n), group_commit.precheck

    async def read_then_wait(*args, **kwargs):
        checked = await read(*args, **kwargs)
        await barrier.wait()
        return checked

    group_commit.precheck = read_then_wait


async def main(tenant_id: str, minutes_ahead: int, intents: list[str], together: bool = False) -> None:
    payments = FakePaymentPlugin()
    hall = Hall.from_config(os.environ["HALL_CONFIG"], extra_plugins={"fakepay": payments, "testshop": CrashingShop()})
    await hall.db.connect()
    tenant = hall.tenants.get(tenant_id)
    try:
        with tenant_scope(tenant):
            provider = provider_for(hall, tenant, "fake")

            async def notify(item: str) -> None:
                intent_id, fen = item.split(":")
                form = payments.gateway(tenant_id).notification(
                    intent_id, status="succeeded", amount_fen=int(fen), trade_no="T" + intent_id[-6:]
                )
                status, _, body = await handle_notification(hall, provider, form)
                checkpoint("fulfilled", f"{intent_id} {body}")

            if together:  # all at once: they queue for one group commit (core.payments.group_commit)
                arrive_together(len(intents))
                await asyncio.gather(*(notify(item) for item in intents))
                print("batches", group_commit.batches, flush=True)
            else:
                for item in intents:
                    await notify(item)
            writer = hall.connector(tenant)
            writer.write_event = traced(writer.write_event)
            now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=minutes_ahead)
            delivered = 0
            while (result := await deliver_due(hall, tenant_id, 10, now=now)).delivered:
                delivered += result.delivered
            print("done", delivered, "delivered", flush=True)
    finally:
        for connector in hall.connectors.values():
            await connector.close()
        await hall.db.disconnect()


if __name__ == "__main__":
    together = sys.argv[3] == "--together"
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3 + together :], together))
