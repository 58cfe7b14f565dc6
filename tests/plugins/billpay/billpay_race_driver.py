"""A hall process for the multi-process pay race: waits for "go" on stdin, then asks billpay to pay, as a web worker would.

    HALL_CONFIG=…/hall.toml python billpay_race_driver.py <tenant> <customer id> <number> all|<bill id>

Prints ``ready`` once connected, then one of ``intent <id>``, ``refused <message>``
or ``error <exception>`` (exit 1). Each process has its own connections and its
own fake gateway (which knows no trades: closing one it never saw succeeds, as
Alipay's does for a page never opened).
"""

from __future__ import annotations

import asyncio
import os
import sys

from core.api.db import tenant_scope
from core.api.testing import FakePaymentPlugin, build_hall
from plugins.billpay.owed import owed_for
from plugins.billpay.paying import PayRefused, pay_intent


async def main(tenant_id: str, customer_id: str, number: str, what: str) -> int:
    hall, _ = build_hall(os.environ["HALL_CONFIG"], {"fakepay": FakePaymentPlugin()})
    await hall.db.connect()
    try:
        tenant = hall.tenants.get(tenant_id)
        with tenant_scope(tenant):
            await owed_for([number])  # warm up: connections and imports before the start line
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
            owed = (await owed_for([number]))[0]
            try:
                intent = await pay_intent(
                    hall, tenant, customer_id=customer_id, owed=owed, bill_ids=[] if what == "all" else [what]
                )
            except PayRefused as refused:
                print("refused", refused.message % refused.params, flush=True)
                return 0
            print("intent", intent.id, flush=True)
            return 0
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        print("error", type(exc).__name__, exc, flush=True)
        return 1
    finally:
        await hall.db.disconnect()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:5])))
