"""A real browser opens the portal home of both demo tenants, as a visitor and as a signed-in customer, on a desktop and a phone.

The customer has bills (tests/plugins/bills seeds them) and files a complaint
through the form first; the home then shows what is owed, the latest bill, the
open request and the quick actions. Nothing may overflow the viewport's width.
Screenshots land in test-artifacts/screenshots/<tenant>-home-<who>-<device>.png.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "plugins" / "bills"))

CHROMIUM = Path("/usr/bin/chromium")
DEVICES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
WAIT_MS = 15_000
PASSWORD = "Home-2026-ok"
TENANTS = ("jiangnan", "haibin")
# what the signed-in home shows, in each demo tenant's language
WORDS = {
    "jiangnan": ("欠费金额", "本月账单", "进行中的申请", "快捷办理", "我要投诉"),
    "haibin": ("Amount owed", "This month's bill", "My open requests", "Quick actions", "New complaint"),
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


async def _setup(config: Path, customers: dict) -> dict[str, str]:
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
                demo = customers[tenant.id][2]
                row = await Customer.select().where(Customer.legacy_id == demo.legacy_id).first()
                await create_account(
                    customer=row,
                    number=demo.numbers[0],
                    password_hash=await hash_password(PASSWORD),
                    language=tenant.language,
                )
                await seed_number(demo.numbers[0], f"e2e-home-{tenant.id}", calls_per_month=0, months=3)
                logins[tenant.id] = demo.numbers[0]
        return logins
    finally:
        await hall.db.disconnect()


@pytest.fixture(scope="module")
def home_hall(live_hall):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env["HALL_SECURITY__SECRET_KEY"] = "e2e-home-setup"  # nothing written here depends on the secret
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            logins = pool.submit(asyncio.run, _setup(live_hall.config, live_hall.customers)).result()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return live_hall, logins


def _no_overflow(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        "the page scrolls sideways"
    )


@pytest.mark.parametrize("tenant", TENANTS)
def test_home_for_visitor_and_customer(home_hall, chromium, shoot, tenant):
    hall, logins = home_hall
    base = hall.base(tenant)
    errors: list[str] = []
    for device, viewport in DEVICES.items():
        context = chromium.new_context(viewport=viewport)
        context.set_default_timeout(WAIT_MS)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            assert page.goto(f"{base}/").status == 200
            services = page.locator("ul.services a")
            assert services.count() >= 4
            for href in services.evaluate_all("els => els.map(e => e.getAttribute('href'))"):
                assert context.request.get(hall.url + href, max_redirects=0).status in (200, 302, 303), href
            _no_overflow(page)
            shoot(page, tenant, f"home-visitor-{device}")

            page.goto(f"{base}/login")
            page.fill("#f-login", logins[tenant])
            page.fill("#f-password", PASSWORD)
            with page.expect_navigation():
                page.locator('form[action$="/login"] button[type=submit]').first.click()
            if device == "desktop":  # one open complaint, filed through the form
                page.goto(f"{base}/service/complain")
                page.select_option("#f-category", index=1)
                page.fill("input[name=title]", "Home page check")
                page.fill("textarea[name=text]", "Filed by the browser test of the home page.")
                with page.expect_navigation():
                    page.locator('form[action$="/service/complain"] button[type=submit]').click()
            page.goto(f"{base}/")
            main = page.locator("main").inner_text()
            for word in WORDS[tenant]:
                assert word in main, word
            assert "Home page check" in main and "¥" in main
            assert page.locator(f'a[href$="/bills/{logins[tenant]}/2024-05"]').count() == 1
            _no_overflow(page)
            shoot(page, tenant, f"home-customer-{device}")
        finally:
            context.close()
    assert errors == []
