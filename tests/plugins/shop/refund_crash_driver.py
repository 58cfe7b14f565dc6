"""A hall child process for the keyed-refund kill -9 test (core.testing.crash): one refund asked with a key.

    HALL_CONFIG=…/hall.toml python tests/plugins/shop/refund_crash_driver.py <tenant> <intent id>:<fen> <key>

The payment core reserves the refund (its pending row, committed) and passes
``checkpoint("reserved")`` just before the gateway is asked; the child's fake
gateway holds the trade as paid. It prints the outcome and the gateway's refunds.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from core.hall import Hall
from core.payments import refunds
from core.tenancy import tenant_scope
from core.testing.crash import checkpoint
from core.testing.payments import FakePaymentPlugin

_ask = refunds._ask_gateway


async def ask_after_checkpoint(hall, refund):
    checkpoint("reserved", refund["refund_id"])
    return await _ask(hall, refund)


refunds._ask_gateway = ask_after_checkpoint


async def main(tenant_id: str, item: str, key: str) -> None:
    payments = FakePaymentPlugin()
    hall = Hall.from_config(os.environ["HALL_CONFIG"], extra_plugins={"fakepay": payments})
    await hall.db.connect()
    intent_id, fen = item.split(":")
    gateway = payments.gateway(tenant_id)
    gateway.pay(intent_id, int(fen))
    try:
        with tenant_scope(hall.tenants.get(tenant_id)):
            rid, outcome = await refunds.refund(hall, intent_id, int(fen), reason="lost card", operator="e2e", key=key)
        print("outcome", rid, outcome, flush=True)
        print("gateway", json.dumps(gateway.trades[intent_id].refunds), flush=True)
    finally:
        for connector in hall.connectors.values():
            await connector.close()
        await hall.db.disconnect()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
