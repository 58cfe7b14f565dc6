"""A demo customer of jiangnan adds caller ID (来电显示), a service the hall itself charges every month from the
line's balance, in a real browser on a desktop and on a 390 px phone; the hall's charge run debits it; the customer
sees the charge on My products and an operator sees the run in the console.

Screenshots land in test-artifacts/screenshots/jiangnan-valueadd-<step>.png.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest

from browser_accounts import demo_accounts, log_in, no_sideways_scroll, operator_log_in

CHROMIUM = Path("/usr/bin/chromium")
DEVICES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
WAIT_MS = 15_000
PASSWORD = "Valueadd-2026-ok"
OPERATOR = ("e2e-valueadd", "Valueadd-operator-2026!")
TENANT = "jiangnan"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


async def _operator_and_charge(config: Path, numbers: list[str]) -> dict:
    """Prepaid balances for the numbers in the demo BSS, an operator, and one charge run of the live hall."""
    from core.auth.admin import ensure_operator
    from core.hall import Hall
    from core.products.charges import run_charges
    from core.tenancy import tenant_scope

    hall = Hall.from_config(config)
    await hall.db.connect()
    try:
        tenant = hall.tenants.get(TENANT)
        await ensure_operator(
            tenant, OPERATOR[0], "Value-added operator", OPERATOR[1], "e2e-valueadd", ["core.products.view"]
        )
        with tenant_scope(tenant):
            return await run_charges(hall, tenant)
    finally:
        for connector in hall.connectors.values():
            await connector.close()
        await hall.db.disconnect()


def in_clean_env(label: str, coro_fn, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env["HALL_SECURITY__SECRET_KEY"] = f"{label}-setup"
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coro_fn(*args)).result()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def prepaid(root: Path, numbers: list[str]) -> None:
    """The demo BSS says these numbers are prepaid with ¥50 as of an hour ago (ZH_YE: yuan text, local time)."""
    stamp = (dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) - dt.timedelta(hours=1)).strftime("%Y%m%d%H%M%S")
    with sqlite3.connect(root / "legacy" / f"{TENANT}.sqlite3") as conn:
        for number in numbers:
            updated = conn.execute("UPDATE ZH_YE SET YE = '50.00', FFLX = 'Y', GXSJ = ? WHERE HM = ?", (stamp, number))
            if not updated.rowcount:
                conn.execute("INSERT INTO ZH_YE (HM, YE, FFLX, GXSJ) VALUES (?, '50.00', 'Y', ?)", (number, stamp))


@pytest.fixture(scope="module")
def valueadd_hall(live_hall):
    logins = {
        device: demo_accounts(
            live_hall, index=i, password=PASSWORD, seed_label=f"e2e-va-{device}", calls_per_month=0, months=1
        )[TENANT]
        for device, i in (("desktop", 2), ("phone", 4))
    }
    prepaid(live_hall.root, list(logins.values()))
    return live_hall, logins


def test_a_customer_adds_caller_id_and_sees_its_monthly_charge(valueadd_hall, chromium, shoot):
    hall, logins = valueadd_hall
    base = hall.base(TENANT)
    errors: list[str] = []
    for device, viewport in DEVICES.items():
        context = chromium.new_context(viewport=viewport)
        context.set_default_timeout(WAIT_MS)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            number = logins[device]
            log_in(page, base, number, PASSWORD)
            page.goto(f"{base}/valueadd/")
            line = page.locator(f'section.valueadd-line[data-number="{number}"]')
            assert line.count() == 1
            service = line.locator('div.valueadd-service[data-offering="caller-id"]')
            assert "来电显示" in service.inner_text() and "6.00" in service.inner_text()
            no_sideways_scroll(page)
            shoot(page, TENANT, f"valueadd-list-{device}")
            with page.expect_navigation():
                service.locator("button.add-service").click()
            assert "/account/product-orders/" in page.url
            assert "已办结" in page.locator(".order-state").inner_text()  # nobody needs to do anything: done at once
            no_sideways_scroll(page)
            shoot(page, TENANT, f"valueadd-order-{device}")
        finally:
            context.close()

    result = in_clean_env("e2e-valueadd", _operator_and_charge, hall.config, list(logins.values()))
    assert result["charged"] >= 2 and result["failed"] == 0, result

    for device, viewport in DEVICES.items():
        context = chromium.new_context(viewport=viewport)
        context.set_default_timeout(WAIT_MS)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            number = logins[device]
            log_in(page, base, number, PASSWORD)
            page.goto(f"{base}/account/products")
            charges = page.locator("table.product-charges tr[data-state='debited']")
            assert charges.count() >= 1, page.content()[:2000]
            assert "6.00" in charges.first.inner_text()
            no_sideways_scroll(page)
            shoot(page, TENANT, f"valueadd-charged-{device}")
        finally:
            context.close()

    context = chromium.new_context(viewport=DEVICES["desktop"])
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        operator_log_in(page, base, OPERATOR[0], OPERATOR[1])
        page.goto(f"{base}/console/charge-runs")
        shoot(page, TENANT, "valueadd-console-runs")
        assert page.locator(f'tr[data-run="{result["run"]}"]').count() == 1
        page.goto(f"{base}/console/charge-runs/{result['run']}")
        assert page.locator("table.charges tr").count() >= 3  # the header and both customers' charges
        shoot(page, TENANT, "valueadd-console-run")
    finally:
        context.close()
    assert errors == []
