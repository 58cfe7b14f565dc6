"""A demo customer changes plan in a real browser (套餐变更), on a desktop and on a 390 px phone, in both demo
tenants, against the demo BSS's own lines and tariffs; an operator completes the order in the console.

The plan change takes effect on the first of next month: the customer sees it pending on My products with its
date, follows the order's milestones, and sees it confirmed once the operator has completed it. Screenshots land
in test-artifacts/screenshots/<tenant>-plans-<step>.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser_accounts import demo_accounts, log_in, no_sideways_scroll, operators_everywhere, operator_log_in

CHROMIUM = Path("/usr/bin/chromium")
DEVICES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
WAIT_MS = 15_000
PASSWORD = "Plans-2026-ok"
OPERATOR = ("e2e-plans", "Plans-operator-2026!")
TENANTS = ("jiangnan", "haibin")
WORDS = {  # the order's state once placed, and once the operator completed it, in each tenant's language
    "jiangnan": ("已受理", "已办结", "已确认"),
    "haibin": ("Received", "Completed", "Confirmed"),
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


@pytest.fixture(scope="module")
def plans_hall(live_hall):
    """Two demo customers per tenant (one changes plan on a desktop, one on a phone) and an operator who carries orders out."""
    desktop = demo_accounts(
        live_hall, index=1, password=PASSWORD, seed_label="e2e-plans-d", calls_per_month=0, months=1
    )
    phone = demo_accounts(live_hall, index=3, password=PASSWORD, seed_label="e2e-plans-p", calls_per_month=0, months=1)
    operators_everywhere(
        live_hall,
        *OPERATOR,
        name="Plans operator",
        department="e2e-plans",
        permissions=["core.products.view", "core.products.handle", "core.workorders.handle"],
    )
    return live_hall, {"desktop": desktop, "phone": phone}


def _change_plan(page, base: str, number: str, shoot, tenant: str, device: str) -> tuple[str, str, str]:
    """Walk the customer's pages; returns (the order page's URL, the new plan's name, the date it takes effect)."""
    page.goto(f"{base}/plans/")
    line = page.locator(f'section.plan-line[data-number="{number}"]')
    assert line.count() == 1, f"{number} is not offered for a plan change"
    current = line.locator(".current-plan").inner_text()
    no_sideways_scroll(page)
    shoot(page, tenant, f"plans-lines-{device}")
    with page.expect_navigation():
        line.locator("a.change-plan").click()
    offers = page.locator("section.offering")
    assert offers.count() >= 1
    assert current not in page.locator("section.offering h3").all_inner_texts()
    no_sideways_scroll(page)
    shoot(page, tenant, f"plans-choose-{device}")
    choice = page.locator("section.offering:has(a.choose-offering)").first
    name = choice.locator("h3.offering-name").inner_text()
    with page.expect_navigation():
        choice.locator("a.choose-offering").click()
    when = page.locator(".effective-date").inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}-01", when), when  # the first of a month
    assert page.locator(".new-plan").inner_text() == name
    no_sideways_scroll(page)
    shoot(page, tenant, f"plans-confirm-{device}")
    with page.expect_navigation():
        page.locator("button.confirm-change").click()
    assert "/account/product-orders/" in page.url
    return page.url, name, when


@pytest.mark.parametrize("tenant", TENANTS)
def test_a_customer_changes_plan_and_an_operator_completes_it(plans_hall, chromium, shoot, tenant):
    hall, logins = plans_hall
    base = hall.base(tenant)
    received, completed, confirmed = WORDS[tenant]
    errors: list[str] = []
    orders: dict[str, tuple[str, str, str]] = {}
    for device, viewport in DEVICES.items():
        context = chromium.new_context(viewport=viewport)
        context.set_default_timeout(WAIT_MS)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            number = logins[device][tenant]
            log_in(page, base, number, PASSWORD)
            url, name, when = _change_plan(page, base, number, shoot, tenant, device)
            orders[device] = (url, name, when)
            assert received in page.locator(".order-state").inner_text()
            assert page.locator("button.cancel-order").count() == 1  # until work starts
            no_sideways_scroll(page)
            shoot(page, tenant, f"plans-order-{device}")
            page.goto(f"{base}/account/products")
            pending = page.locator(f'div.product[data-number="{number}"] .pending-change').inner_text()
            assert name in pending and when in pending
            no_sideways_scroll(page)
            shoot(page, tenant, f"plans-pending-{device}")
        finally:
            context.close()

    # the operator carries both orders out in the console
    context = chromium.new_context(viewport=DEVICES["desktop"])
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        operator_log_in(page, base, OPERATOR[0], OPERATOR[1])
        page.goto(f"{base}/console/product-orders?type=plans.change")
        shoot(page, tenant, "plans-console-orders")
        for device, (url, _name, _when) in orders.items():
            order_id = url.rstrip("/").rsplit("/", 1)[1]
            page.goto(f"{base}/console/product-orders/{order_id}")
            while page.locator("button[class*='step-finish_']").count():
                with page.expect_navigation():
                    page.locator("button[class*='step-finish_']").first.click()
            assert page.locator(".order-state").get_attribute("data-state") == "completed"
            if device == "desktop":
                shoot(page, tenant, "plans-console-completed")
    finally:
        context.close()

    # each customer sees it completed, and the change confirmed until it takes effect
    for device, (url, _name, when) in orders.items():
        context = chromium.new_context(viewport=DEVICES[device])
        context.set_default_timeout(WAIT_MS)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            number = logins[device][tenant]
            log_in(page, base, number, PASSWORD)
            page.goto(url)
            assert completed in page.locator(".order-state").inner_text()
            assert page.locator("button.cancel-order").count() == 0
            assert page.locator('li.milestone[data-code="completed"]').count() == 1
            shoot(page, tenant, f"plans-completed-{device}")
            page.goto(f"{base}/account/products")
            pending = page.locator(f'div.product[data-number="{number}"] .pending-change')
            assert pending.get_attribute("data-state") == "scheduled"
            assert confirmed in pending.inner_text() and when in pending.inner_text()
            no_sideways_scroll(page)
        finally:
            context.close()
    assert errors == []
