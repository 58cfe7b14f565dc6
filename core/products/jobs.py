"""The products core's jobs: each idempotent, safe to run twice and on several workers at once.

- ``core.products.run`` (every minute): lifecycle requests waiting (or left by a dead worker), dated
  changes whose day has come, refunds of cancelled or failed orders that were paid.
- ``core.products.mirror_lines`` (every 15 minutes): synced service numbers onto their line products.
- ``core.products.read_back`` (every 5 minutes): the BSS's word on orders it was sent, when the connector can say.
- ``core.products.charge`` (every hour): the recurring charge run (core/products/charges.py), exactly once per
  product and month, and the arrears that follow (core/products/arrears.py).
"""

from __future__ import annotations

from core.tenancy import require_tenant

RUN = "core.products.run"
MIRROR = "core.products.mirror_lines"
READ_BACK = "core.products.read_back"
CHARGE = "core.products.charge"


async def run(hall, tenant_id: str) -> dict:
    from core.products import changes, lifecycle, refunds

    tenant = require_tenant()
    applied = await changes.apply_due(hall, tenant)
    ran = await lifecycle.run_pending(hall, tenant)
    refunded = await refunds.refund_closed(hall)
    return {"applied": applied, "ran": ran, "refunded": refunded}


async def mirror(hall, tenant_id: str) -> int:
    from core.products.lines import mirror_lines

    return await mirror_lines()


async def read_back(hall, tenant_id: str) -> int:
    from core.products.readback import read_back as ask

    return await ask(hall, require_tenant())


async def charge(hall, tenant_id: str) -> dict:
    from core.products.charges import run_charges

    return await run_charges(hall, require_tenant())


def jobs() -> list:
    from core.jobs.spec import Job

    return [
        Job(RUN, run, every_minutes=1),
        Job(MIRROR, mirror, every_minutes=15),
        Job(READ_BACK, read_back, every_minutes=5),
        Job(CHARGE, charge, every_minutes=60),
    ]
