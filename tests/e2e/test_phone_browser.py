"""The issue's done-line for phone services, on both demo tenants in Chromium: a customer picks a premium number
(靓号), holds it, applies for the installation with a plan, address and appointment, pays the prepayment through the
Alipay sandbox; an operator carries the installation out in the console; after the outbox and the demo BSS's
interface program, the demo BSS has the new line and the pool number is used up. Screenshots (desktop and 390 px):
test-artifacts/screenshots/<tenant>-phone-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "alipay"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_accounts import demo_accounts, log_in, operator_log_in  # noqa: E402
from test_topup_browser import deliver_outbox, in_hall, live_hall_setup, sandbox  # noqa: E402, F401, F811

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 15_000
TENANTS = ("jiangnan", "haibin")
PASSWORD = "Phone-2026-ok"
OPERATOR = ("e2e-phone", "Phone-operator-2026!")
AREA = {"jiangnan": ("浙江省", "杭州市", "西湖区"), "haibin": ("山东省", "青岛市", "市南区")}
LINE = {
    "jiangnan": "SELECT KHBH, ZFBH FROM YW_HMXX WHERE HM = ?",
    "haibin": "SELECT AREA_NO || '-' || CUST_SEQ, TARIFF_ID FROM CRM_SUBS WHERE ACC_NBR = ?",
}
POOL = {
    "jiangnan": "SELECT ZT FROM ZY_XHHM WHERE HM = ?",
    "haibin": "SELECT NBR_STATE FROM RES_NBR_POOL WHERE ACC_NBR = ?",
}
USED = {"jiangnan": "2", "haibin": "3"}
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


async def add_operator(hall) -> None:
    from core.auth.admin import ensure_operator

    for tenant in hall.tenants:
        await ensure_operator(
            tenant,
            OPERATOR[0],
            "Installer",
            OPERATOR[1],
            "e2e-phone",
            ["core.products.view", "core.products.handle", "core.workorders.handle", "phone.pool"],
        )


async def run_bss(hall) -> None:
    from plugins.phone.demo import demo_databases, process_inbox

    for path, style in demo_databases(hall):
        process_inbox(path, style)


@pytest.fixture(scope="module")
def phone_hall(live_hall):
    logins = demo_accounts(live_hall, index=2, password=PASSWORD, seed_label="e2e-phone", calls_per_month=0, months=1)
    in_hall(live_hall, add_operator)
    return live_hall, logins


def _no_overflow(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "scrolls sideways"


@pytest.mark.parametrize("tenant", TENANTS)
def test_premium_number_held_paid_installed_and_in_the_bss(phone_hall, sandbox, chromium, shoot, tenant):  # noqa: F811
    hall, logins = phone_hall
    base = hall.base(tenant)
    errors: list[str] = []
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, base, logins[tenant], PASSWORD)
        assert page.goto(f"{base}/phone/numbers?grade=C&kind=mobile").status == 200
        shoot(page, tenant, "phone-01-numbers-desktop")
        row = page.locator("tr.pool-number").first
        number = row.get_attribute("data-number")
        assert row.get_attribute("data-grade") == "C"
        with page.expect_navigation():
            row.locator("button.hold-number").click()
        assert page.locator("section.phone-hold").get_attribute("data-number") == number
        assert page.locator(".hold-until").count() == 1
        # a slot in the past and a district outside the area: messages beside the fields
        province, city, district = AREA[tenant]
        page.locator("input[name=plan]").first.check()
        page.select_option("#f-province", province)
        page.select_option("#f-city", city)
        page.fill("#f-district", "不存在区")
        page.fill("#f-street", "1 号")
        page.fill("#f-date", "2020-01-01")
        with page.expect_navigation():
            page.locator("button.apply-line").click()
        assert page.locator("#district-error").count() == 1 and page.locator("#date-error").count() == 1
        shoot(page, tenant, "phone-02-apply-errors-desktop")
        page.fill("#f-district", district)
        page.fill("#f-date", (dt.date.today() + dt.timedelta(days=2)).isoformat())
        page.locator("input[name=plan][value=mobile-58]").check()
        with page.expect_navigation():
            page.locator("button.apply-line").click()
        assert "/account/product-orders/" in page.url, page.locator("main").inner_text()[:500]
        order_url = page.url
        shoot(page, tenant, "phone-03-order-desktop")
        with page.expect_navigation():
            page.locator("button.pay-order").click()
        with page.expect_navigation(url=re.compile(re.escape(sandbox.gateway))):
            page.locator("#pay-with-alipay").click()
        with page.expect_navigation(url=re.compile(rf"/t/{tenant}/pay/return/")):
            page.locator("button.pay").click()
        assert page.locator("section[data-payment]").get_attribute("data-state") == "succeeded"
    finally:
        context.close()

    # the operator sees the hold, and carries the installation out
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        operator_log_in(page, base, OPERATOR[0], OPERATOR[1])
        page.goto(f"{base}/phone/console/pool")
        assert page.locator(f'tr.pool-hold[data-number="{number}"]').count() == 1
        shoot(page, tenant, "phone-04-console-pool-phone")
        order_id = order_url.rstrip("/").rsplit("/", 1)[1]
        page.goto(f"{base}/console/product-orders/{order_id}")
        while page.locator("button[class*='step-finish_']").count():
            with page.expect_navigation():
                page.locator("button[class*='step-finish_']").first.click()
        assert page.locator(".order-state").get_attribute("data-state") == "completed"
        shoot(page, tenant, "phone-05-console-completed-phone")
    finally:
        context.close()

    # the customer follows it on a phone: the order completed, the number no longer offered
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, base, logins[tenant], PASSWORD)
        page.goto(order_url)
        assert page.locator('li.milestone[data-code="completed"]').count() == 1
        _no_overflow(page)
        shoot(page, tenant, "phone-06-order-completed-phone")
        page.goto(f"{base}/phone/numbers?grade=C&kind=mobile")
        assert page.locator(f'tr.pool-number[data-number="{number}"]').count() == 0
        _no_overflow(page)
        shoot(page, tenant, "phone-07-numbers-phone")
        page.goto(f"{base}/phone/service")
        _no_overflow(page)
        shoot(page, tenant, "phone-08-my-lines-phone")
        page.goto(f"{base}/phone/lines")
        line = page.locator("section.phone-line").first
        switch = line.locator("button.switch-international")
        with page.expect_navigation():
            switch.click()
        assert page.locator("section.phone-line").first.locator(".feature-international .pending").count() == 1
        _no_overflow(page)
        shoot(page, tenant, "phone-09-long-distance-phone")
    finally:
        context.close()

    deliver_outbox(hall)
    in_hall(hall, run_bss)
    with closing(sqlite3.connect(hall.root / "legacy" / f"{tenant}.sqlite3")) as conn:
        line = conn.execute(LINE[tenant], (number,)).fetchone()
        state = conn.execute(POOL[tenant], (number,)).fetchone()[0]
    assert line is not None, f"the demo BSS has no line {number}"
    assert str(state) == USED[tenant]

    # the BSS switched international calls: the line shows it, no longer pending
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        log_in(page, base, logins[tenant], PASSWORD)
        page.goto(f"{base}/phone/lines")
        first = page.locator("section.phone-line").first
        assert first.locator(".feature-international .pending").count() == 0
        shoot(page, tenant, "phone-10-long-distance-confirmed-desktop")
    finally:
        context.close()
    assert errors == []
