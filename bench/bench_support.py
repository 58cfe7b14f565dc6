"""In-process halves of bench/notify.py: open the payments before the server starts, count the credits after it stopped."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode


def _hall(config: Path):
    from notify_app import BenchShop

    from core.hall import Hall
    from core.testing.payments import FakePaymentPlugin

    return Hall.from_config(config, extra_plugins={"fakepay": FakePaymentPlugin(), "benchshop": BenchShop()})


async def open_payments(config: Path, intents: int, provider: str = "fake", keys=None) -> list[bytes]:
    from core.db import transaction
    from core.db.migrate import migrate
    from core.payments.intents import new_public_id
    from core.payments.model import now
    from core.payments.tables import PaymentIntent
    from core.tenancy import tenant_scope
    from core.testing.payments import FakeGateway

    hall = _hall(config)
    await hall.db.connect()
    try:
        await migrate(hall)
        tenant = hall.tenants.get("alpha")
        gateway = FakeGateway("alpha")
        rows = []
        stamp = now()
        for n in range(intents):
            rows.append(
                PaymentIntent(
                    public_id=new_public_id(),
                    purpose="bench",
                    owner="benchshop",
                    reference=str(n),
                    subject="bench",
                    customer_id=f"C{n % 500:05d}",
                    amount_fen=100 + n % 9900,
                    currency="CNY",
                    provider=provider,
                    channel="pc",
                    state="pending",
                    idempotency_key=f"bench:{n}",
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
        with tenant_scope(tenant):
            async with transaction():
                for start in range(0, len(rows), 500):
                    await PaymentIntent.insert(*rows[start : start + 500])
        bodies = []
        for row in rows:
            if provider == "alipay":
                from plugins.alipay.testkit import paid_notification

                bodies.append(urlencode(paid_notification(keys, row.public_id, row.amount_fen)).encode())
                continue
            gateway.pay(row.public_id, row.amount_fen)
            bodies.append(urlencode(gateway.notification(row.public_id)).encode())
        return bodies
    finally:
        await hall.db.disconnect()


async def credited(config: Path) -> dict:
    from core.legacy.outbox_tables import OutboxEvent
    from core.payments.tables import PaymentIntent
    from core.tenancy import tenant_scope

    hall = _hall(config)
    await hall.db.connect()
    try:
        with tenant_scope(hall.tenants.get("alpha")):
            return {
                "succeeded": await PaymentIntent.count().where(PaymentIntent.state == "succeeded"),
                "posted": await OutboxEvent.count().where(OutboxEvent.kind == "payment.posted"),
                "delivered": await OutboxEvent.count().where(OutboxEvent.kind == "benchshop.delivered"),
            }
    finally:
        await hall.db.disconnect()
