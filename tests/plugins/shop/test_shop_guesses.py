"""Redemption guesses from many addresses: no card redeemed, every address locked out and recorded.

The full proof is 10,000 guesses from 1,000 addresses: ``SHOP_GUESSES=10000``
(about 100 s on SQLite; the test databases open a connection per query on
PostgreSQL, so there it is minutes). The everyday run makes 2,000 guesses on
SQLite and 400 on PostgreSQL - the same code path, the same assertions.
"""

from __future__ import annotations

import asyncio
import os
import secrets

from shop_support import HOLDER_NUMBER, add_cards, pins_of

from core.api.db import tenant_scope
from plugins.shop.alerts import open_alerts
from plugins.shop.limits import LockedOut
from plugins.shop.pins import keys_for
from plugins.shop.redeem import RedeemFailed, redeem
from plugins.shop.settings import ShopSettings
from plugins.shop.tables import Card, Redemption

GUESSES = int(os.environ.get("SHOP_GUESSES") or (400 if os.environ.get("HALL_TEST_DB") == "postgres" else 2000))
PER_ADDRESS = 10
CONCURRENCY = 8


def test_ten_thousand_guesses_redeem_nothing_and_lock_every_address_out(world):
    harness, _plugin, ids = world
    tenant = harness.tenant("alpha")
    settings = ShopSettings(address_hourly_failures=5, number_daily_failures=10_000)
    keys = keys_for(harness.hall, tenant)
    batch = add_cards(harness, ids["products"]["P50"], 20, state="sold")
    serials = sorted(pins_of(harness, batch["id"]))
    addresses = [f"10.{n // 250}.{n % 250}.1" for n in range(GUESSES // PER_ADDRESS)]
    outcomes = {"ok": 0, "failed": 0, "locked": 0}

    async def guess(address: str, k: int) -> str:
        try:
            await redeem(
                harness.hall,
                tenant,
                settings,
                keys,
                serial=serials[k % len(serials)],
                pin=f"{secrets.randbelow(10**18):018d}",
                number=HOLDER_NUMBER,
                customer_id="",
                own_numbers=(),
                address=address,
            )
            return "ok"
        except RedeemFailed:
            return "failed"
        except LockedOut:
            return "locked"

    async def attacker(share: list[str]) -> None:
        with tenant_scope(tenant):
            for address in share:
                for k in range(PER_ADDRESS):
                    outcomes[await guess(address, k)] += 1

    async def attack():
        await asyncio.gather(*(attacker(addresses[i::CONCURRENCY]) for i in range(CONCURRENCY)))

    harness.run(attack())
    assert outcomes == {"ok": 0, "failed": len(addresses) * 5, "locked": len(addresses) * 5}
    assert sum(outcomes.values()) == GUESSES
    assert harness.in_tenant("alpha", Redemption.count) == 0
    states = harness.in_tenant("alpha", lambda: Card.select(Card.state).where(Card.batch_id == batch["id"]))
    assert {s["state"] for s in states} == {"sold"}
    lockouts = [a for a in harness.in_tenant("alpha", open_alerts, limit=GUESSES) if a["kind"] == "lockout"]
    assert sorted(a["subject"] for a in lockouts) == sorted(f"addr:{a}" for a in addresses)
