"""A hall child process for the WeChat Pay kill -9 tests (core.testing.crash): one signed notification each, settled and delivered.

    HALL_CONFIG=…/hall.toml python wechatpay_crash_driver.py <tenant> <minutes ahead> <platform key .pem> <intent id>:<fen> ...

The driver is tests/payments/pay_crash_driver.py with the real WeChat Pay
provider: for each intent a TRANSACTION.SUCCESS notification, encrypted with
the tenant's APIv3 key and signed afresh with the platform key (as WeChat Pay
signs every retry), goes through the JSON notification handler
(``handle_request``: verify, decrypt, settle). The owning plugin's fulfilment
passes ``checkpoint("notified")`` inside the settlement's transaction, and
``checkpoint("fulfilled")`` follows the commit. Then the ``core.deliver_outbox``
job function runs until nothing is due, with ``checkpoint("wrote")`` after each
legacy write.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import wechat_shop  # noqa: E402
from wechatpay_support import paid_notification  # noqa: E402

from core.hall import Hall  # noqa: E402
from core.hookspecs import hookimpl  # noqa: E402
from core.legacy.outbox import deliver_due  # noqa: E402
from core.payments.notify import handle_request  # noqa: E402
from core.payments.registry import provider_for  # noqa: E402
from core.tenancy import tenant_scope  # noqa: E402
from core.testing.crash import checkpoint  # noqa: E402
from plugins.wechatpay.crypto import load_private  # noqa: E402


class CrashingShop:
    """wechat_shop's fulfilment with a checkpoint where a crash hurts most: paid, not yet fulfilled, nothing committed."""

    @hookimpl
    def payment_succeeded(self, hall, tenant, intent):
        checkpoint("notified", intent.id)
        return wechat_shop.payment_succeeded(hall=hall, tenant=tenant, intent=intent)


def traced(method):
    @functools.wraps(method)
    async def call(event_id, kind, payload):
        await method(event_id, kind, payload)
        checkpoint("wrote", f"{kind} {event_id}")

    return call


async def main(tenant_id: str, minutes_ahead: int, platform_key: str, intents: list[str]) -> None:
    hall = Hall.from_config(os.environ["HALL_CONFIG"], extra_plugins={"wxshop": CrashingShop()})
    await hall.db.connect()
    tenant = hall.tenants.get(tenant_id)
    key = load_private(Path(platform_key).read_text())
    try:
        with tenant_scope(tenant):
            provider = provider_for(hall, tenant, "wechatpay")
            for item in intents:
                intent_id, fen = item.split(":")
                body, headers = paid_notification(intent_id, int(fen), key=key)
                status, _, answer = await handle_request(
                    hall, provider, body, {k.lower(): v for k, v in headers.items()}
                )
                checkpoint("fulfilled", f"{intent_id} {status}")
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
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]))
