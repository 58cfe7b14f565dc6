"""A hall child process for the shop's kill -9 test (core.testing.crash): the gateway's "paid" for card orders.

    HALL_CONFIG=…/hall.toml python tests/plugins/shop/shop_crash_driver.py <tenant> <intent id>:<fen> ...

Each signed notification goes through the real handler (verify, settle); the
shop's fulfilment passes ``checkpoint("paid")`` after the order is marked paid
and before its card is allocated - inside the settlement's transaction - and
``checkpoint("settled")`` follows the commit.
"""

from __future__ import annotations

import asyncio
import os
import sys

from core.hall import Hall
from core.payments.notify import handle_notification
from core.payments.registry import provider_for
from core.tenancy import tenant_scope
from core.testing.crash import checkpoint
from core.testing.payments import FakePaymentPlugin
from plugins.shop import orders

_allocate = orders.allocate


async def allocate_after_checkpoint(order):
    checkpoint("paid", order["number"])
    return await _allocate(order)


orders.allocate = allocate_after_checkpoint


async def main(tenant_id: str, intents: list[str]) -> None:
    payments = FakePaymentPlugin()
    hall = Hall.from_config(os.environ["HALL_CONFIG"], extra_plugins={"fakepay": payments})
    await hall.db.connect()
    tenant = hall.tenants.get(tenant_id)
    try:
        with tenant_scope(tenant):
            provider = provider_for(hall, tenant, "fake")
            for item in intents:
                intent_id, fen = item.split(":")
                form = payments.gateway(tenant_id).notification(
                    intent_id, status="succeeded", amount_fen=int(fen), trade_no="T" + intent_id[-6:]
                )
                _status, _, body = await handle_notification(hall, provider, form)
                checkpoint("settled", f"{intent_id} {body}")
            print("done", flush=True)
    finally:
        for connector in hall.connectors.values():
            await connector.close()
        await hall.db.disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
