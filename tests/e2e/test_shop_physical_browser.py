"""A physical product in Chromium on both demo tenants: bought to an address, shipped, tracked, received.

A customer orders the printed collector's card (GIFT100) to an address with next-day delivery and pays through the
Alipay sandbox; the order page shows it paid, waiting to be shipped. An operator opens it in the console and ships
it from the main warehouse with SF Express and a tracking number. The customer sees the courier and the tracking
number on the order page and confirms receipt: the order is completed. The same pages are then opened on a 390 px
phone. Screenshots: test-artifacts/screenshots/<tenant>-shop-physical-*.png.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_accounts import demo_accounts, in_live_hall, log_in, operator_log_in  # noqa: E402
from test_shop_browser import _no_overflow, live_hall_setup, sandbox  # noqa: E402, F401 (module fixtures)

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 15_000
TENANTS = ("jiangnan", "haibin")
PASSWORD = "Shop-e2e-2026-ok"
CLERK = ("e2e-ship", "E2e-ship-clerk-2026!")
TRACKING = "SF1234567890"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


async def _physical_and_clerk(hall) -> None:
    """The demo's printed card with 5 in the main warehouse (as the demo seeds it), and a shop clerk."""
    from core.auth.admin import ensure_operator
    from core.tenancy import tenant_scope
    from plugins.shop.demo import CATALOG, _stock, add_product

    for tenant_id in TENANTS:
        with tenant_scope(hall.tenants.get(tenant_id)):
            for entry in CATALOG:
                if entry[8] == "physical":
                    await _stock(await add_product(entry, low_stock=2), 5)
            await ensure_operator(
                hall.tenants.get(tenant_id), CLERK[0], "E2E shipper", CLERK[1], "e2e-ship", ["shop.view", "shop.orders"]
            )


@pytest.fixture(scope="module")
def ship_hall(live_hall):
    in_live_hall(live_hall, "e2e-ship", _physical_and_clerk)
    return live_hall, demo_accounts(
        live_hall, index=2, password=PASSWORD, seed_label="e2e-ship", calls_per_month=0, months=1
    )


def _address(page, tenant_id: str) -> None:
    zh = tenant_id == "jiangnan"
    page.fill("#f-province", "江苏省" if zh else "Zhejiang")
    page.fill("#f-city", "南京市" if zh else "Ningbo")
    page.fill("#f-district", "鼓楼区" if zh else "Haishu")
    page.fill("#f-street", "中山北路 1 号 301 室" if zh else "1 Zhongshan Road, flat 301")
    page.fill("#f-recipient", "张收货" if zh else "Li Lei")
    page.fill("#f-phone", "13900000777")
    page.locator('input[name="method"][value="express"]').check()


@pytest.mark.parametrize("tenant_id", TENANTS)
def test_buy_a_physical_item_the_operator_ships_it_the_customer_tracks_and_confirms(
    ship_hall,
    sandbox,  # noqa: F811 (the imported module fixture)
    chromium,
    shoot,
    tenant_id,
):
    live_hall, logins = ship_hall
    number = logins[tenant_id]
    base = live_hall.base(tenant_id)
    zh = tenant_id == "jiangnan"
    buyer = chromium.new_context(viewport={"width": 1280, "height": 900})
    buyer.set_default_timeout(WAIT_MS)
    clerk = chromium.new_context(viewport={"width": 1280, "height": 900})
    clerk.set_default_timeout(WAIT_MS)
    try:
        page = buyer.new_page()
        log_in(page, base, number, PASSWORD)
        assert page.goto(f"{base}/shop/p/GIFT100").status == 200
        assert page.locator("form.shop-address").count() == 1, page.locator("main").inner_text()[:600]
        with page.expect_navigation():  # an empty form: errors next to the fields, nothing bought
            page.locator("form.shop-address button.shop-buy").click()
        assert page.locator(".field-error").count() >= 5
        shoot(page, tenant_id, "shop-physical-01-address-errors-desktop")
        _address(page, tenant_id)
        with page.expect_navigation():
            page.locator("form.shop-address button.shop-buy").click()
        with page.expect_navigation(url=re.compile(re.escape(sandbox.gateway))):
            page.locator("#pay-with-alipay").click()
        with page.expect_navigation(url=re.compile(rf"/t/{tenant_id}/pay/return/")):
            page.locator("button.pay").click()
        assert page.locator("section[data-payment]").get_attribute("data-state") == "succeeded"
        with page.expect_navigation(url=re.compile(r"/shop/orders/")):
            page.locator("a.shop-order-link").click()
        order_url = page.url
        order_number = order_url.rstrip("/").rsplit("/", 1)[1]
        assert page.locator("section.shop-order").get_attribute("data-state") == "paid"
        assert page.locator('.shop-steps li[data-step="paid"]').get_attribute("class") == "done"
        assert page.locator('.shop-steps li[data-step="shipped"]').get_attribute("class") == "todo"
        assert "¥132.00" in page.locator("main").inner_text()  # ¥120.00 and ¥12.00 for next-day delivery
        shoot(page, tenant_id, "shop-physical-02-paid-desktop")

        desk = clerk.new_page()
        operator_log_in(desk, base, CLERK[0], CLERK[1])
        assert desk.goto(f"{base}/shop/console/orders/{order_number}").status == 200
        assert ("中山北路" if zh else "Zhongshan Road") in desk.locator(".shop-delivery").inner_text()
        desk.select_option("#f-carrier", value="sf")
        desk.select_option("#f-location", value="MAIN")
        desk.fill("#f-tracking", TRACKING)
        shoot(desk, tenant_id, "shop-physical-03-console-ship-desktop")
        with desk.expect_navigation():
            desk.locator("form.shop-ship button").click()
        assert TRACKING in desk.locator(".shop-tracking").inner_text()
        shoot(desk, tenant_id, "shop-physical-04-console-shipped-desktop")

        assert page.goto(order_url).status == 200
        assert page.locator("section.shop-order").get_attribute("data-state") == "shipped"
        assert page.locator(".shop-carrier").inner_text().strip() == ("顺丰速运" if zh else "SF Express")
        assert page.locator(".shop-tracking").inner_text().strip() == TRACKING
        shoot(page, tenant_id, "shop-physical-05-shipped-desktop")
        with page.expect_navigation():
            page.locator("button.shop-receive").click()
        assert page.locator("section.shop-order").get_attribute("data-state") == "completed"
        assert page.locator('.shop-steps li[data-step="completed"]').get_attribute("class") == "done"
        assert page.locator("form.shop-code-send").count() == 0  # a parcel has no PIN to show again
        shoot(page, tenant_id, "shop-physical-06-received-desktop")
        assert page.goto(f"{base}/shop/orders").status == 200
        assert order_number in page.locator("table.shop-orders").inner_text()
    finally:
        buyer.close()
        clerk.close()

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.set_default_timeout(WAIT_MS)
    try:
        page = phone.new_page()
        log_in(page, base, number, PASSWORD)
        for url, step in (
            (f"{base}/shop/p/GIFT100", "product"),
            (order_url, "order"),
            (f"{base}/shop/orders", "orders"),
        ):
            assert page.goto(url).status == 200
            _no_overflow(page)
            shoot(page, tenant_id, f"shop-physical-{step}-phone")
    finally:
        phone.close()
