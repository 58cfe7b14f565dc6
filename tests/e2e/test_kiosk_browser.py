"""The kiosk theme on a real terminal's browser (haibin, the demo tenant with the kiosk theme): an operator registers the
terminal on the console, a technician signs the browser in as it, a customer signs in there and then walks away; after
the theme's idle_seconds (120) without a touch the customer is signed out and the terminal is back on the home page.
Playwright's clock runs the page's timers on, so the test waits for nothing. What was done there is in the audit with
the terminal as actor. Screenshots: test-artifacts/screenshots/haibin-kiosk-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser_accounts import demo_accounts, in_live_hall, log_in, operator_log_in

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "Kiosk-2026-ok"
ADMIN, ADMIN_PASSWORD = "e2e-api-admin", "E2e-api-admin-2026!"
TENANT = "haibin"
WAIT_MS = 15_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


@pytest.fixture(scope="module")
def kiosk_hall(live_hall):
    logins = demo_accounts(live_hall, index=3, password=PASSWORD, seed_label="e2e-kiosk", calls_per_month=0, months=1)

    async def admin(hall):
        from core.auth.admin import ensure_operator

        tenant = next(t for t in hall.tenants if t.id == TENANT)
        await ensure_operator(tenant, ADMIN, "API admin", ADMIN_PASSWORD, "e2e-api", ["core.api.clients"])

    in_live_hall(live_hall, "e2e-kiosk-admin", admin)
    return live_hall, logins[TENANT]


def _register_terminal(page, base: str) -> tuple[str, str]:
    operator_log_in(page, base, ADMIN, ADMIN_PASSWORD)
    page.goto(f"{base}/console/api-clients")
    page.fill("#f-name", "Lobby terminal 1")
    page.select_option("#f-kind", "kiosk")
    for scope in ("catalog.read", "topup", "kiosk"):
        page.check(f'input[name=scopes][value="{scope}"]')
    with page.expect_navigation():
        page.locator('form[action$="/console/api-clients"] button[type=submit]').click()
    text = page.content()
    return re.search(r"(hc_[0-9a-f]{24})", text).group(1), page.locator("[data-secret]").inner_text()


def test_a_terminal_signs_in_and_resets_after_the_idle_time(kiosk_hall, chromium, shoot):
    hall, login = kiosk_hall
    base = hall.base(TENANT)
    console = chromium.new_context(viewport={"width": 1280, "height": 900})
    console.set_default_timeout(WAIT_MS)
    try:
        client_id, secret = _register_terminal(console.new_page(), base)
    finally:
        console.close()

    context = chromium.new_context(viewport={"width": 1080, "height": 1920})  # a portrait touch screen
    context.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.clock.install()
        page.goto(f"{base}/kiosk/terminal")
        page.fill("#f-client_id", client_id)
        page.fill("#f-client_secret", secret)
        with page.expect_navigation():
            page.locator('form[action$="/kiosk/terminal"] button[type=submit]').click()
        assert page.locator(f'[data-terminal="{client_id}"]').count() >= 1
        shoot(page, TENANT, "kiosk-terminal")

        log_in(page, base, login, PASSWORD)
        page.goto(f"{base}/")
        assert page.locator(".header-tools .who").count() == 1
        assert page.locator(f'.header-tools [data-terminal="{client_id}"]').count() == 1
        shoot(page, TENANT, "kiosk-customer")
        page.clock.run_for(60_000)  # half the idle time: still signed in
        assert page.locator(".header-tools .who").count() == 1
        page.mouse.click(5, 5)  # a touch starts the wait again
        page.clock.run_for(100_000)
        assert page.locator(".header-tools .who").count() == 1
        with page.expect_navigation():
            page.clock.run_for(21_000)  # 121 s without a touch: the theme's idle_seconds is 120
        page.wait_for_load_state()
        assert page.locator(".header-tools .who").count() == 0
        assert page.locator('.header-tools a[href$="/login"]').count() == 1
        assert page.url.rstrip("/") == base or page.url == f"{base}/"
        assert page.locator(f'.header-tools [data-terminal="{client_id}"]').count() == 1  # still the same terminal
        shoot(page, TENANT, "kiosk-after-idle-reset")
    finally:
        context.close()
    assert errors == []

    async def audit(hall_):
        from core.audit import AuditLog
        from core.tenancy import tenant_scope

        tenant = next(t for t in hall_.tenants if t.id == TENANT)
        with tenant_scope(tenant):
            return await AuditLog.select(AuditLog.action, AuditLog.object_id).where(AuditLog.actor == client_id)

    done = in_live_hall(hall, "e2e-kiosk-audit", audit)
    assert {"action": "api.terminal.sign_in", "object_id": done[0]["object_id"]} in done
    routes = [r["object_id"] for r in done if r["action"] == "api.terminal.request"]
    assert "auth:logout" in routes and any(r.startswith("auth:login") for r in routes), routes
