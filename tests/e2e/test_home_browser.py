"""A real browser opens the portal home of both demo tenants, as a visitor and as a signed-in customer, on a desktop and a phone.

The customer has bills (tests/plugins/bills seeds them) and files a complaint
through the form first; the home then shows what is owed, the latest bill, the
open request and the quick actions. Nothing may overflow the viewport's width.
Screenshots land in test-artifacts/screenshots/<tenant>-home-<who>-<device>.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_accounts import demo_accounts, log_in, no_sideways_scroll

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


@pytest.fixture(scope="module")
def home_hall(live_hall):
    return live_hall, demo_accounts(
        live_hall, index=2, password=PASSWORD, seed_label="e2e-home", calls_per_month=0, months=3
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
            no_sideways_scroll(page)
            shoot(page, tenant, f"home-visitor-{device}")

            log_in(page, base, logins[tenant], PASSWORD)
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
            no_sideways_scroll(page)
            shoot(page, tenant, f"home-customer-{device}")
        finally:
            context.close()
    assert errors == []
