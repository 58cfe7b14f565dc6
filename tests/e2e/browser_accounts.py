"""Signed-in customers for the browser tests: a portal account for one demo customer per tenant, with seeded bills.

The live hall (conftest.py ``live_hall``) runs in its own process; these accounts are written into its database
beforehand, from a clean environment (no ``HALL_*`` of the test run leaks into the hall being configured).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "plugins" / "bills"))


async def _open_accounts(config: Path, customers: dict, *, index: int, password: str, seed_label: str, **seed) -> dict:
    from bills_support import seed_number

    from core.auth.customers import create_account
    from core.auth.passwords import hash_password
    from core.auth.tables import Customer
    from core.hall import Hall
    from core.tenancy import tenant_scope

    hall = Hall.from_config(config, connect_tenants=False)
    await hall.db.connect()
    logins = {}
    try:
        for tenant in hall.tenants:
            with tenant_scope(tenant):
                demo = customers[tenant.id][index]
                row = await Customer.select().where(Customer.legacy_id == demo.legacy_id).first()
                await create_account(
                    customer=row,
                    number=demo.numbers[0],
                    password_hash=await hash_password(password),
                    language=tenant.language,
                )
                await seed_number(demo.numbers[0], f"{seed_label}-{tenant.id}", **seed)
                logins[tenant.id] = demo.numbers[0]
        return logins
    finally:
        await hall.db.disconnect()


def demo_accounts(live_hall, *, index: int, password: str, seed_label: str, **seed) -> dict[str, str]:
    """Tenant id → the service number that logs in with ``password`` (demo customer ``index`` of each tenant).

    ``seed`` goes to bills_support.seed_number (months, calls_per_month).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env["HALL_SECURITY__SECRET_KEY"] = f"{seed_label}-setup"  # nothing written here depends on the secret
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            job = _open_accounts(
                live_hall.config, live_hall.customers, index=index, password=password, seed_label=seed_label, **seed
            )
            return pool.submit(asyncio.run, job).result()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def log_in(page, base: str, login: str, password: str) -> None:
    """Sign in through the portal's form, as a customer would."""
    page.goto(f"{base}/login")
    page.fill("#f-login", login)
    page.fill("#f-password", password)
    with page.expect_navigation():
        page.locator('form[action$="/login"] button[type=submit]').first.click()
