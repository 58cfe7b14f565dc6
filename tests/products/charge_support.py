"""Helpers of the charge-run tests: hall-charged boxes on an account, the charges and events they left."""

from __future__ import annotations

import datetime as dt

from core.db import transaction
from core.legacy.outbox_tables import OutboxEvent
from core.products.charge_tables import Charge, ChargeNotice
from core.products.tables import Product

UTC = dt.timezone.utc


async def make_boxes(
    count: int, *, account: str = "A1", customer: str = "", fee: int = 1000, started=None
) -> list[int]:
    """``count`` active hall-charged boxes on ``account`` (written directly: the charge run only reads the inventory)."""
    started = started or dt.datetime(2026, 1, 5, 4, 0, tzinfo=UTC)
    ids = []
    async with transaction():
        for n in range(count):
            rows = await Product.insert(
                Product(
                    product_key=f"test:box:{account}:{n}",
                    specification="box",
                    offering_code="box.basic",
                    name="Box",
                    customer_legacy_id=customer,
                    account_legacy_id=account,
                    number=f"{account}-{n}",
                    state="active",
                    charged_by="hall",
                    monthly_fee_fen=fee,
                    started_at=started,
                )
            )
            ids.append(rows[0]["id"])
    return ids


async def charges() -> list[dict]:
    return await Charge.select().order_by(Charge.product_id).order_by(Charge.period)


async def charge_events() -> list[dict]:
    return await OutboxEvent.select().where(OutboxEvent.kind.like("charge.%")).order_by(OutboxEvent.id)


async def notices() -> list[tuple]:
    rows = await ChargeNotice.select().order_by(ChargeNotice.id)
    return [(r["product_id"], r["period"], r["kind"]) for r in rows]
