"""After-sales in Chromium on both demo tenants (Chinese and English): a return of a shipped parcel, refunded once.

A customer buys the printed collector's card (GIFT100) through the Alipay sandbox and an operator ships it. The
customer asks for a return on the order's page (an empty form first: errors next to the fields). The operator
opens the order in the console, follows the request to its work order and back, and approves it with a refund of
50 yuan. The customer sees the outcome and the refund on the order page. The pages are then opened on a 390 px
phone. Screenshots: test-artifacts/screenshots/<tenant>-shop-aftersales-*.png.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_accounts import demo_accounts, in_live_hall, log_in, operator_log_in  # noqa: E402
from test_shop_browser import _no_overflow, live_hall_setup, sandbox  # noqa: E402, F401 (module fixtures)
from test_shop_physical_browser import _address, _physical_and_clerk  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 15_000
TENANTS = ("jiangnan", "haibin")
WORDS = {  # what the pages say, in each tenant's language
    "jiangnan": {
        "reason": "卡面印刷有划痕，想退货",
        "seen": "卡面印刷有划痕",
        "waiting": "等待答复",
        "type": "卡品商城售后申请",
        "note": "划痕属实，退 50 元",
        "approved": "已同意退款",
        "noted": "划痕属实",
    },
    "haibin": {
        "reason": "The printed card is scratched, I want to return it",
        "seen": "The printed card is scratched",
        "waiting": "Waiting for our answer",
        "type": "Card shop after-sales request",
        "note": "Scratch confirmed, 50 yuan back",
        "approved": "Approved with a refund",
        "noted": "Scratch confirmed",
    },
}
PASSWORD = "Shop-e2e-2026-ok"
CLERK = ("e2e-after", "E2e-after-clerk-2026!")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


async def _stock_and_clerk(hall) -> None:
    from core.auth.admin import ensure_operator

    await _physical_and_clerk(hall)
    permissions = ["shop.view", "shop.orders", "core.workorders.handle"]
    for tenant_id in TENANTS:
        await ensure_operator(
            hall.tenants.get(tenant_id), CLERK[0], "E2E after-sales", CLERK[1], "e2e-after", permissions
        )


@pytest.fixture(scope="module")
def after_hall(live_hall):
    in_live_hall(live_hall, "e2e-after", _stock_and_clerk)
    return live_hall, demo_accounts(
        live_hall, index=2, password=PASSWORD, seed_label="e2e-after", calls_per_month=0, months=1
    )


def _console(context, base):
    desk = context.new_page()
    operator_log_in(desk, base, CLERK[0], CLERK[1])
    return desk


@pytest.mark.parametrize("tenant_id", TENANTS)
def test_a_return_is_asked_approved_with_a_refund_and_seen_by_the_customer(
    tenant_id,
    after_hall,
    sandbox,  # noqa: F811 (the imported module fixture)
    chromium,
    shoot,
):
    live_hall, logins = after_hall
    base = live_hall.base(tenant_id)
    words = WORDS[tenant_id]
    buyer = chromium.new_context(viewport={"width": 1280, "height": 900})
    buyer.set_default_timeout(WAIT_MS)
    clerk = chromium.new_context(viewport={"width": 1280, "height": 900})
    clerk.set_default_timeout(WAIT_MS)
    try:
        page = buyer.new_page()
        log_in(page, base, logins[tenant_id], PASSWORD)
        assert page.goto(f"{base}/shop/p/GIFT100").status == 200
        _address(page, tenant_id)
        with page.expect_navigation():
            page.locator("form.shop-address button.shop-buy").click()
        with page.expect_navigation(url=re.compile(re.escape(sandbox.gateway))):
            page.locator("#pay-with-alipay").click()
        with page.expect_navigation(url=re.compile(rf"/t/{tenant_id}/pay/return/")):
            page.locator("button.pay").click()
        with page.expect_navigation(url=re.compile(r"/shop/orders/")):
            page.locator("a.shop-order-link").click()
        order_url = page.url
        number = order_url.rstrip("/").rsplit("/", 1)[1]

        desk = _console(clerk, base)
        assert desk.goto(f"{base}/shop/console/orders/{number}").status == 200
        desk.select_option("#f-carrier", value="sf")
        desk.select_option("#f-location", value="MAIN")
        desk.fill("#f-tracking", "SF1234567890")
        with desk.expect_navigation():
            desk.locator("form.shop-ship button").click()

        assert page.goto(order_url).status == 200
        form = page.locator("form.shop-aftersales-form")
        assert form.count() == 1 and form.locator('input[value="lost_card"]').count() == 0
        with page.expect_navigation():  # nothing chosen, nothing said: two errors, nothing opened
            form.locator("button").click()
        assert page.locator("form.shop-aftersales-form .field-error").count() == 2
        shoot(page, tenant_id, "shop-aftersales-01-errors-desktop")
        page.locator('form.shop-aftersales-form input[name="kind"][value="return"]').check()
        page.fill("#f-aftersales-reason", words["reason"])
        with page.expect_navigation():
            page.locator("form.shop-aftersales-form button").click()
        request = page.locator(".shop-aftersale")
        assert request.get_attribute("data-state") == "open" and words["waiting"] in request.inner_text()
        shoot(page, tenant_id, "shop-aftersales-02-asked-desktop")

        assert desk.goto(f"{base}/shop/console/orders/{number}").status == 200
        card = desk.locator(".shop-aftersale")
        assert words["seen"] in card.inner_text()
        with desk.expect_navigation():  # to the work order and back
            card.locator("a.mono").first.click()
        assert "/console/workorders/" in desk.url and words["type"] in desk.locator("main").inner_text()
        shoot(desk, tenant_id, "shop-aftersales-03-workorder-desktop")
        with desk.expect_navigation():
            desk.locator("a.shop-decide-link").click()
        desk.locator('form.shop-decide input[name="outcome"][value="refund"]').check()
        desk.fill("form.shop-decide #f-amount", "50")
        desk.fill("form.shop-decide #f-note", words["note"])
        shoot(desk, tenant_id, "shop-aftersales-04-decide-desktop")
        with desk.expect_navigation():
            desk.locator("form.shop-decide button").click()
        assert desk.locator(".shop-aftersale").get_attribute("data-state") == "refund"
        assert "¥50.00" in desk.locator(".shop-aftersale").inner_text()
        shoot(desk, tenant_id, "shop-aftersales-05-decided-desktop")

        assert page.goto(order_url).status == 200
        outcome = page.locator(".shop-aftersale").inner_text()
        assert words["approved"] in outcome and "¥50.00" in outcome and words["noted"] in outcome
        shoot(page, tenant_id, "shop-aftersales-06-outcome-desktop")
    finally:
        buyer.close()
        clerk.close()

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.set_default_timeout(WAIT_MS)
    try:
        page = phone.new_page()
        log_in(page, base, logins[tenant_id], PASSWORD)
        assert page.goto(order_url).status == 200
        _no_overflow(page)
        shoot(page, tenant_id, "shop-aftersales-order-phone")
        assert page.goto(f"{base}/account/requests").status == 200
        _no_overflow(page)
        shoot(page, tenant_id, "shop-aftersales-requests-phone")
    finally:
        phone.close()
