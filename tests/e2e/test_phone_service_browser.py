"""Phone service requests go round their loop on both demo tenants in Chromium: the customer asks for a move
(移机), a suspension (报停) and a resumption (复机) of their line on the desktop; an operator works each order's
back-office steps on the console (and sees the move on the day's appointments); the customer sees the line's new
address and state on a phone (390 px), and the demo BSS has the line's new status. No request becomes a product of
its own. Screenshots: test-artifacts/screenshots/<tenant>-phone-service-*.png.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import zoneinfo
from contextlib import closing
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "alipay"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_accounts import demo_accounts, log_in, operator_log_in  # noqa: E402
from test_phone_browser import AREA, CHROMIUM, OPERATOR, TENANTS, WAIT_MS, _no_overflow, add_operator, run_bss  # noqa: E402
from test_topup_browser import deliver_outbox, in_hall, live_hall_setup, sandbox  # noqa: E402, F401, F811

PASSWORD = "Phone-service-2026"
STATUS = {
    "jiangnan": ("SELECT ZT FROM YW_HMXX WHERE HM = ?", {"active": "A", "suspended": "T"}),
    "haibin": ("SELECT SUBS_STATE FROM CRM_SUBS WHERE ACC_NBR = ?", {"active": "0", "suspended": "1"}),
}
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


@pytest.fixture(scope="module")
def service_hall(live_hall):
    logins = demo_accounts(live_hall, index=3, password=PASSWORD, seed_label="e2e-phsvc", calls_per_month=0, months=1)
    in_hall(live_hall, add_operator)
    return live_hall, logins


def _today() -> dt.date:
    """The demo tenants' date (Asia/Shanghai): what the forms check against."""
    return dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()


class Loop:
    def __init__(self, chromium, hall, tenant, login, shoot):
        self.chromium, self.hall, self.tenant, self.login, self.shoot = chromium, hall, tenant, login, shoot
        self.base, self.errors = hall.base(tenant), []

    def context(self, phone: bool = False):
        if phone:
            context = self.chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        else:
            context = self.chromium.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        return context, page

    def ask(self, number: str, kind: str, fill, step: str) -> str:
        """The customer's request on the desktop: the form, then the order's page; the order's id."""
        context, page = self.context()
        try:
            log_in(page, self.base, self.login, PASSWORD)
            page.goto(f"{self.base}/phone/service")
            with page.expect_navigation():
                page.locator(f'section.service-line[data-number="{number}"] a.service-{kind}').click()
            fill(page)
            self.shoot(page, self.tenant, f"phone-service-{step}-form-desktop")
            with page.expect_navigation():
                page.locator("button.confirm-service").click()
            assert "/account/product-orders/" in page.url, page.locator("main").inner_text()[:800]
            self.shoot(page, self.tenant, f"phone-service-{step}-order-desktop")
            return page.url.rstrip("/").rsplit("/", 1)[1]
        finally:
            context.close()

    def operate(self, order_id: str, step: str, appointments_on: str = "") -> None:
        """The operator works the order's back-office steps on the console (a phone), then the BSS applies it."""
        context, page = self.context(phone=True)
        try:
            operator_log_in(page, self.base, OPERATOR[0], OPERATOR[1])
            if appointments_on:
                page.goto(f"{self.base}/phone/console/appointments?date={appointments_on}")
                assert page.locator(f'[data-order="{order_id}"]').count() == 1, page.locator("main").inner_text()
                _no_overflow(page)
                self.shoot(page, self.tenant, f"phone-service-{step}-appointments-phone")
            page.goto(f"{self.base}/console/product-orders/{order_id}")
            while page.locator("button[class*='step-finish_']").count():
                with page.expect_navigation():
                    page.locator("button[class*='step-finish_']").first.click()
            assert page.locator(".order-state").get_attribute("data-state") == "completed"
            self.shoot(page, self.tenant, f"phone-service-{step}-console-phone")
        finally:
            context.close()
        deliver_outbox(self.hall)
        in_hall(self.hall, run_bss)

    def see(self, number: str, step: str):
        """The customer on a phone: My products and My lines; returns (My products' line, the kinds offered)."""
        context, page = self.context(phone=True)
        try:
            log_in(page, self.base, self.login, PASSWORD)
            page.goto(f"{self.base}/account/products")
            product = page.locator(f'div.product[data-number="{number}"]')
            assert product.count() == 1, "the line only: no product for the request"
            state = product.locator(".product-state").get_attribute("data-state")
            address = product.locator(".product-address").all_inner_texts()
            _no_overflow(page)
            self.shoot(page, self.tenant, f"phone-service-{step}-products-phone")
            page.goto(f"{self.base}/phone/service")
            kinds = [
                k
                for k in ("suspend", "resume", "move")
                if page.locator(f'section.service-line[data-number="{number}"] a.service-{k}').count()
            ]
            _no_overflow(page)
            self.shoot(page, self.tenant, f"phone-service-{step}-lines-phone")
            return state, address, kinds
        finally:
            context.close()

    def bss_status(self, number: str) -> str:
        query, _ = STATUS[self.tenant]
        with closing(sqlite3.connect(self.hall.root / "legacy" / f"{self.tenant}.sqlite3")) as conn:
            return str(conn.execute(query, (number,)).fetchone()[0])


@pytest.mark.parametrize("tenant", TENANTS)
def test_move_suspend_and_resume_go_round_their_loop(service_hall, chromium, shoot, tenant):
    hall, logins = service_hall
    loop = Loop(chromium, hall, tenant, logins[tenant], shoot)
    context, page = loop.context()
    try:
        log_in(page, loop.base, logins[tenant], PASSWORD)
        page.goto(f"{loop.base}/phone/service")
        number = page.locator("section.service-line:has(a.service-move)").first.get_attribute("data-number")
    finally:
        context.close()
    codes = STATUS[tenant][1]
    province, city, district = AREA[tenant]
    day = (_today() + dt.timedelta(days=2)).isoformat()

    def move(page):
        page.select_option("#f-province", province)
        page.select_option("#f-city", city)
        page.fill("#f-district", district)
        page.fill("#f-street", "新址路 8 号")
        page.fill("#f-date", day)

    loop.operate(loop.ask(number, "move", move, "1-move"), "1-move", appointments_on=day)
    state, address, kinds = loop.see(number, "1-move")
    assert state == "active" and any("新址路 8 号" in a for a in address) and "suspend" in kinds

    def suspend(page):
        page.fill("#f-reason", "出差三个月")
        page.fill("#f-date", _today().isoformat())

    loop.operate(loop.ask(number, "suspend", suspend, "2-suspend"), "2-suspend")
    assert loop.bss_status(number) == codes["suspended"]
    state, _, kinds = loop.see(number, "2-suspend")
    assert state == "suspended" and kinds == ["resume"]

    loop.operate(loop.ask(number, "resume", lambda page: None, "3-resume"), "3-resume")
    assert loop.bss_status(number) == codes["active"]
    state, _, kinds = loop.see(number, "3-resume")
    assert state == "active" and "suspend" in kinds
    assert loop.errors == []
