"""163 dial-up in a real browser on the demo tenants: a customer opens an account and pays at the local Alipay
sandbox; FreeRADIUS (started on loopback, reading the tenant's RADIUS database) lets the account dial in; the
session a RADIUS client accounts shows on the usage page - on a desktop and on a 390 px phone.

Screenshots land in test-artifacts/screenshots/<tenant>-dialup-<step>.png.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import re
import sys
from pathlib import Path

import pytest

from browser_accounts import demo_accounts, log_in, operator_log_in

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "alipay"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "dialup"))

from alipay_support import key_pairs, write_sandbox_config  # noqa: E402
from dialup_support import DICTIONARY, Nas  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
SCHEMA_DIR = Path("/etc/freeradius/3.0/mods-config/sql/main")
WAIT_MS = 15_000
PASSWORD = "Dialup-2026-ok"
DIAL_PASSWORD = "Modem56k-2026"
TENANTS = ("jiangnan", "haibin")
APPS = {"jiangnan": ("2021000000000001", "2088000000000001"), "haibin": ("2021000000000002", "2088000000000002")}
WORDS = {"jiangnan": "正常", "haibin": "Open"}
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
    pytest.mark.skipif(not SCHEMA_DIR.exists(), reason="FreeRADIUS is not installed (scripts/ensure-radius)"),
]


def _radius_db(root: Path, tenant_id: str) -> Path:
    return root / "radius" / f"{tenant_id}.sqlite"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    from plugins.alipay.sandbox.config import load_config
    from plugins.alipay.sandbox.runner import SandboxThread

    public = key_pairs().merchant_public
    config = write_sandbox_config(
        tmp_path_factory.mktemp("dialup-sandbox"), apps={app: (seller, public) for app, seller in APPS.values()}
    )
    running = SandboxThread(load_config(config)).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def live_hall_setup(sandbox):
    """The demo tenants pay at the local sandbox; each one's RADIUS database, with FreeRADIUS's schema, in the root."""
    from plugins.dialup.radius_db import Dsn, RadiusDb

    keys = key_pairs()

    def setup(root: Path, tenant_id: str, data: dict) -> None:
        assert "dialup" in data["tenant"]["plugins"], f"tenants/{tenant_id}: the demo tenant should enable dialup"
        data["plugins"]["alipay"]["gateway"] = sandbox.gateway
        path = _radius_db(root, tenant_id)
        data["plugins"]["dialup"]["radius_db"] = f"sqlite:///{path}"
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, RadiusDb(Dsn.parse(f"sqlite:///{path}")).ensure_schema(str(SCHEMA_DIR))).result()
        with (root / ".secrets.toml").open("a", encoding="utf-8") as secrets:
            secrets.write(
                f"[alipay.{tenant_id}]\napp_private_key = '''\n{keys.merchant_private}'''\n"
                f"alipay_public_key = '''\n{keys.sandbox_public}'''\n\n"
            )

    return setup


@pytest.fixture(scope="module")
def radius(live_hall, tmp_path_factory):
    """One FreeRADIUS per demo tenant, reading its RADIUS database; a NAS for each."""
    from plugins.dialup import radiusd
    from plugins.dialup.radius_db import Dsn

    if radiusd.radiusd_binary() is None:
        pytest.skip("FreeRADIUS is not installed (scripts/ensure-radius)")
    dictionary = tmp_path_factory.mktemp("nas") / "dictionary"
    dictionary.write_text(DICTIONARY)
    servers = {tid: radiusd.start(Dsn.parse(f"sqlite:///{_radius_db(live_hall.root, tid)}")) for tid in TENANTS}
    yield {tid: Nas(server, dictionary) for tid, server in servers.items()}
    for server in servers.values():
        server.stop()


OPERATOR = ("e2e-dialup", "Dialup-operator-2026!")


async def _operator(hall) -> None:
    from core.auth.admin import ensure_operator

    for tenant in hall.tenants:
        await ensure_operator(
            tenant, OPERATOR[0], "Dial-up operator", OPERATOR[1], "e2e-dialup", ["dialup.view", "dialup.lock"]
        )


@pytest.fixture(scope="module")
def logins(live_hall):
    from browser_accounts import in_live_hall

    in_live_hall(live_hall, "e2e-dialup", _operator)
    return demo_accounts(live_hall, index=2, password=PASSWORD, seed_label="e2e-dialup", calls_per_month=0, months=1)


def _no_overflow(page, width: int) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= width, f"the page is {wide} px wide on a {width} px screen: it scrolls sideways"


def _open_and_pay(page, base: str, username: str, sandbox, shoot, tenant: str) -> None:
    page.goto(f"{base}/dialup/")
    shoot(page, tenant, "dialup-01-index-desktop")
    with page.expect_navigation():
        page.locator("a.open-account").click()
    page.locator("label.package input").first.check()
    page.fill("#f-username", username)
    page.fill("#f-password", DIAL_PASSWORD)
    page.fill("#f-password_again", DIAL_PASSWORD)
    shoot(page, tenant, "dialup-02-open-desktop")
    with page.expect_navigation():
        page.locator("button.confirm-open").click()
    assert "/account/product-orders/" in page.url, page.locator("main").inner_text()[:500]
    with page.expect_navigation():
        page.locator("button.pay-order").click()
    if page.locator("#pay-with-alipay").count():
        with page.expect_navigation(url=re.compile(re.escape(sandbox.gateway))):
            page.locator("#pay-with-alipay").click()
    shoot(page, tenant, "dialup-03-sandbox")
    with page.expect_navigation(url=re.compile(rf"/t/{tenant}/pay/return/")):
        page.locator("button.pay").click()
    section = page.locator("section[data-payment]")
    section.wait_for()
    assert section.get_attribute("data-state") == "succeeded", page.locator("main").inner_text()[:300]


@pytest.mark.parametrize("tenant", TENANTS)
def test_a_customer_opens_an_account_pays_and_sees_the_radius_session(
    live_hall, sandbox, radius, logins, chromium, shoot, tenant
):
    base = live_hall.base(tenant)
    username = f"e2e{tenant[:4]}56k"
    errors: list[str] = []
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, base, logins[tenant], PASSWORD)
        _open_and_pay(page, base, username, sandbox, shoot, tenant)
        page.goto(f"{base}/dialup/a/{username}")
        assert page.locator(".dialup-balance .state").inner_text() == WORDS[tenant], page.locator("main").inner_text()
        shoot(page, tenant, "dialup-04-account-desktop")

        nas = radius[tenant]
        assert nas.login(username, DIAL_PASSWORD), live_hall.server_log()
        assert not nas.login(username, "not-the-password")
        start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        nas.account(username, "Start", "E2E-1", when=start)
        nas.account(
            username,
            "Interim-Update",
            "E2E-1",
            when=start + dt.timedelta(minutes=5),
            seconds=300,
            octets_in=2_000_000,
            octets_out=9_000_000,
        )
        nas.account(
            username,
            "Stop",
            "E2E-1",
            when=start + dt.timedelta(minutes=42, seconds=7),
            seconds=2527,
            octets_in=3 * 1_048_576,
            octets_out=12 * 1_048_576,
        )
        month = (start + dt.timedelta(hours=8)).strftime("%Y-%m")
        page.goto(f"{base}/dialup/a/{username}/usage?month={month}")
        row = page.locator('tr.session[data-session="E2E-1"]')
        assert row.locator(".duration").inner_text() == "0:42:07"
        assert row.locator(".bytes-in").inner_text() == "3.0 MB" and row.locator(".bytes-out").inner_text() == "12.0 MB"
        shoot(page, tenant, "dialup-05-usage-desktop")
        _no_overflow(page, 1280)
    finally:
        context.close()

    phone = chromium.new_context(viewport={"width": 390, "height": 844})
    phone.set_default_timeout(WAIT_MS)
    try:
        page = phone.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, base, logins[tenant], PASSWORD)
        page.goto(f"{base}/dialup/")
        assert page.locator(f'tr.dialup-account[data-username="{username}"]').count() == 1
        _no_overflow(page, 390)
        shoot(page, tenant, "dialup-06-index-phone")
        page.goto(f"{base}/dialup/a/{username}")
        _no_overflow(page, 390)
        shoot(page, tenant, "dialup-07-account-phone")
        page.goto(f"{base}/dialup/a/{username}/usage?month={month}")
        assert page.locator('tr.session[data-session="E2E-1"] .duration').inner_text() == "0:42:07"
        _no_overflow(page, 390)
        shoot(page, tenant, "dialup-08-usage-phone")
    finally:
        phone.close()

    # an operator finds the account and locks it: the server turns the next dial-in away
    console = chromium.new_context(viewport={"width": 1280, "height": 900})
    console.set_default_timeout(WAIT_MS)
    try:
        page = console.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        operator_log_in(page, base, OPERATOR[0], OPERATOR[1])
        page.goto(f"{base}/dialup/console?q={username}")
        with page.expect_navigation():
            page.locator(f'tr.dialup-row[data-username="{username}"] a').click()
        page.fill("input[name=reason]", "e2e")
        with page.expect_navigation():
            page.locator("button.lock").click()
        assert page.locator(".state").inner_text() in ("已锁定", "Locked")
        shoot(page, tenant, "dialup-09-console-locked")
        assert not radius[tenant].login(username, DIAL_PASSWORD)
    finally:
        console.close()
    assert errors == []
