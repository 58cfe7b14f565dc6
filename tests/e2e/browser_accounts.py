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
from typing import Any, Awaitable, Callable

sys.path.insert(0, str(Path(__file__).parents[1] / "plugins" / "bills"))


async def _open_accounts(hall, customers: dict, *, index: int, password: str, seed_label: str, **seed) -> dict:
    from bills_support import seed_number

    from core.auth.customers import create_account
    from core.auth.passwords import hash_password
    from core.auth.tables import Customer
    from core.tenancy import tenant_scope

    logins = {}
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


async def _with_hall(config: Path, job: Callable[[Any], Awaitable[Any]]) -> Any:
    from core.hall import Hall

    hall = Hall.from_config(config, connect_tenants=False)
    await hall.db.connect()
    try:
        return await job(hall)
    finally:
        await hall.db.disconnect()


def in_live_hall(live_hall, label: str, job: Callable[[Any], Awaitable[Any]]) -> Any:
    """``await job(hall)`` against the live hall's database, from a clean environment; its result."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env["HALL_SECURITY__SECRET_KEY"] = f"{label}-setup"  # nothing written here depends on the secret
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, _with_hall(live_hall.config, job)).result()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def demo_accounts(live_hall, *, index: int, password: str, seed_label: str, **seed) -> dict[str, str]:
    """Tenant id → the service number that logs in with ``password`` (demo customer ``index`` of each tenant).

    ``seed`` goes to bills_support.seed_number (months, calls_per_month).
    """

    def job(hall):
        return _open_accounts(hall, live_hall.customers, index=index, password=password, seed_label=seed_label, **seed)

    return in_live_hall(live_hall, seed_label, job)


def log_in(page, base: str, login: str, password: str) -> None:
    """Sign in through the portal's form, as a customer would."""
    page.goto(f"{base}/login")
    page.fill("#f-login", login)
    page.fill("#f-password", password)
    with page.expect_navigation():
        page.locator('form[action$="/login"] button[type=submit]').first.click()


def operators_everywhere(
    live_hall, login: str, password: str, *, name: str, department: str, permissions: list[str]
) -> None:
    """The same operator sign-in on every tenant of the live hall, with ``permissions``."""

    async def job(hall):
        from core.auth.admin import ensure_operator

        for tenant in hall.tenants:
            await ensure_operator(tenant, login, name, password, department, permissions)

    in_live_hall(live_hall, department, job)


def no_sideways_scroll(page) -> None:
    """The page fits its viewport's width (the phone layouts must not scroll sideways)."""
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        "the page scrolls sideways"
    )


def operator_log_in(page, base: str, login: str, password: str) -> None:
    """Sign in to the console through its form, as staff would."""
    page.goto(f"{base}/console/login")
    page.fill("#f-username", login)
    page.fill("#f-password", password)
    with page.expect_navigation():
        page.locator('form[action$="/console/login"] button[type=submit]').click()
