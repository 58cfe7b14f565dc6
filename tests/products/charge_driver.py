"""A hall child process for the charge run's kill -9 tests (core.testing.crash): the real run, a progress line per product.

    HALL_CONFIG=…/hall.toml python tests/products/charge_driver.py <tenant> <ISO moment>

The products clock is set to ``moment`` (never today's date), the hall gets
the products tests' plugins (the hall-charged "box" and the line connector),
and :func:`core.products.charges.run_charges` passes a checkpoint ``written``
inside each charge's transaction (the row inserted, its outbox event not yet)
and ``done`` after it commits, so the test can kill it anywhere or exactly there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
import time

from product_support import LineConnectorPlugin, make_plugin

from core.hall import Hall
from core.products import model
from core.tenancy import tenant_scope
from core.testing.crash import checkpoint


def step(detail: str) -> None:
    """A checkpoint per step (``written`` inside a charge's transaction, ``done`` after it), paced so the test can keep up."""
    checkpoint(detail.split()[0], detail)
    time.sleep(0.003)  # pacing only: the parent reads the lines through a pipe, the kill must land mid-run


def _seed_balances(connector, spec: str, as_of: dt.datetime) -> None:
    """``CHARGE_BALANCES="A1=3500,A2=0"``: the prepaid balances this child's BSS reports (fen)."""
    from core.legacy.ports import LegacyBalance

    for item in filter(None, spec.split(",")):
        account, fen = item.split("=")
        connector.balances[account] = LegacyBalance(account, int(fen), as_of - dt.timedelta(days=60), "prepaid")


async def main(tenant_id: str, moment: str) -> None:
    fixed = dt.datetime.fromisoformat(moment)
    model.now = lambda: fixed
    hall = Hall.from_config(
        os.environ["HALL_CONFIG"], extra_plugins={"linefake": LineConnectorPlugin(), "testprod": make_plugin([], {})}
    )
    await hall.db.connect()
    try:
        from core.products.charges import run_charges

        tenant = hall.tenants.get(tenant_id)
        _seed_balances(hall.connector(tenant), os.environ.get("CHARGE_BALANCES", ""), fixed)
        with tenant_scope(tenant):
            result = await run_charges(hall, tenant, progress=step)
        print("done", result, flush=True)
    finally:
        for connector in hall.connectors.values():
            await connector.close()
        await hall.db.disconnect()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
