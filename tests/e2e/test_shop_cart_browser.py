"""Product images and a mixed cart in Chromium on both demo tenants (Chinese and English).

An operator makes ¥50 cards and uploads a picture of the printed collector's card (GIFT100) on the console's product
page; a customer sees its thumbnail in the catalog and the picture on its page, puts two printed cards and a ¥50 card
in the cart, gives the address once (field errors first) and pays the whole cart through the Alipay sandbox once:
three orders, one payment, the two printed cards waiting to ship in one parcel, the card's PIN ready. The catalog,
product and cart pages are then opened on a 390 px phone. Screenshots: test-artifacts/screenshots/<tenant>-cart-*.png.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_accounts import demo_accounts, in_live_hall, log_in, operator_log_in  # noqa: E402
from test_shop_browser import _no_overflow, live_hall_setup, sandbox  # noqa: E402, F401 (module fixtures)
from test_shop_physical_browser import _address  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 15_000
TENANTS = ("jiangnan", "haibin")
WORDS = {  # what the pages say, in each tenant's language; the alt text is typed in that language's field
    "jiangnan": {
        "not_image": "该文件不是图片。",
        "alt_field": "#f-alt_zh",
        "alt": "100元纪念版实体卡正面",
        "paid": "已支付",
        "ready": "卡密待查看",
    },
    "haibin": {
        "not_image": "This file is not an image.",
        "alt_field": "#f-alt_en",
        "alt": "The printed card, front",
        "paid": "Paid",
        "ready": "Card ready",
    },
}
PASSWORD = "Shop-e2e-2026-ok"
CLERK = ("e2e-cart", "E2e-cart-clerk-2026!")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


async def _catalog_and_clerk(hall) -> None:
    """PHONE50 (no cards yet: the served hall makes them) and GIFT100 with 5 in the main warehouse; a shop clerk."""
    for tenant_id in TENANTS:
        await _catalog_and_clerk_of(hall, tenant_id)


async def _catalog_and_clerk_of(hall, tenant_id: str) -> None:
    from core.auth.admin import ensure_operator
    from core.tenancy import tenant_scope
    from plugins.shop.demo import CATALOG, _stock, add_product

    with tenant_scope(hall.tenants.get(tenant_id)):
        for entry in CATALOG:
            code, delivery = entry[2], entry[8]
            if code not in ("PHONE50", "GIFT100"):
                continue
            product_id = await add_product(entry, low_stock=2)
            if delivery == "physical":
                await _stock(product_id, 5)
        await ensure_operator(
            hall.tenants.get(tenant_id), CLERK[0], "E2E cart clerk", CLERK[1], "e2e-cart", ["shop.view", "shop.manage"]
        )


@pytest.fixture(scope="module")
def cart_hall(live_hall):
    in_live_hall(live_hall, "e2e-cart", _catalog_and_clerk)
    return live_hall, demo_accounts(
        live_hall, index=3, password=PASSWORD, seed_label="e2e-cart", calls_per_month=0, months=1
    )


def _picture() -> bytes:
    from plugins.shop.demo import card_picture

    return card_picture("GIFT100", 10000, (191, 120, 0))


def _loaded(locator) -> bool:
    return locator.evaluate("img => img.complete && img.naturalWidth > 0")


@pytest.mark.parametrize("tenant_id", TENANTS)
def test_operator_uploads_an_image_customer_pays_two_printed_cards_and_a_card_at_once(
    tenant_id,
    cart_hall,
    sandbox,  # noqa: F811 (the imported module fixture)
    chromium,
    shoot,
):
    live_hall, logins = cart_hall
    words = WORDS[tenant_id]
    number = logins[tenant_id]
    base = live_hall.base(tenant_id)
    desk = chromium.new_context(viewport={"width": 1280, "height": 900})
    desk.set_default_timeout(WAIT_MS)
    try:
        page = desk.new_page()
        operator_log_in(page, base, CLERK[0], CLERK[1])
        assert page.goto(f"{base}/shop/console").status == 200
        page.select_option("#g-product", label="PHONE50")
        page.fill("#f-count", "3")
        with page.expect_navigation():
            page.locator('form[action$="/shop/console/batches"] button').click()
        with page.expect_navigation():
            page.locator("tr[data-batch] form[action$='/stock'] button").first.click()
        assert page.goto(f"{base}/shop/console/catalog").status == 200
        with page.expect_navigation():
            page.locator('tr[data-product="GIFT100"] a').click()
        page.set_input_files("#f-image", files=[{"name": "cat.txt", "mimeType": "text/plain", "buffer": b"meow"}])
        with page.expect_navigation():
            page.locator('form[enctype="multipart/form-data"] button').click()
        assert page.locator("#image-error").inner_text().strip() == words["not_image"]
        shoot(page, tenant_id, "cart-01-console-image-refused-desktop")
        page.set_input_files("#f-image", files=[{"name": "gift.png", "mimeType": "image/png", "buffer": _picture()}])
        page.fill(words["alt_field"], words["alt"])
        with page.expect_navigation():
            page.locator('form[enctype="multipart/form-data"] button').click()
        assert page.locator(".shop-image-list li").count() == 1 and _loaded(page.locator(".shop-image-list img"))
        shoot(page, tenant_id, "cart-02-console-image-desktop")
        page.context.clear_cookies()

        log_in(page, base, number, PASSWORD)
        assert page.goto(f"{base}/shop/").status == 200
        thumb = page.locator('li[data-code="GIFT100"] .shop-thumb img')
        assert thumb.get_attribute("alt") == words["alt"] and _loaded(thumb)
        shoot(page, tenant_id, "cart-03-catalog-desktop")
        assert page.goto(f"{base}/shop/p/GIFT100").status == 200
        assert _loaded(page.locator(".shop-gallery img"))
        shoot(page, tenant_id, "cart-04-product-desktop")
        for _ in range(2):  # adding leads to the cart: back to the product for the second one
            assert page.goto(f"{base}/shop/p/GIFT100").status == 200
            with page.expect_navigation():
                page.locator("form.shop-add button").click()
        assert page.goto(f"{base}/shop/p/PHONE50").status == 200
        with page.expect_navigation():
            page.locator("form.shop-add button").click()
        assert page.locator('tr[data-code="GIFT100"] .quantity').inner_text().strip() == "2"
        with page.expect_navigation():  # no address yet: errors next to the fields, nothing bought
            page.locator("button.shop-checkout").click()
        assert page.locator(".field-error").count() >= 5
        shoot(page, tenant_id, "cart-05-cart-errors-desktop")
        _address(page, tenant_id)
        shoot(page, tenant_id, "cart-06-cart-address-desktop")
        with page.expect_navigation():
            page.locator("button.shop-checkout").click()
        with page.expect_navigation(url=re.compile(re.escape(sandbox.gateway))):
            page.locator("#pay-with-alipay").click()
        with page.expect_navigation(url=re.compile(rf"/t/{tenant_id}/pay/return/")):
            page.locator("button.pay").click()
        assert page.locator("section[data-payment]").get_attribute("data-state") == "succeeded"
        shoot(page, tenant_id, "cart-07-paid-desktop")
        assert page.goto(f"{base}/shop/orders").status == 200
        rows = page.locator("table.shop-orders tbody tr")
        assert rows.count() == 3
        listed = page.locator("table.shop-orders").inner_text()
        assert listed.count(words["paid"]) == 2 and words["ready"] in listed
        assert "¥132.00" in listed and "¥120.00" in listed and "¥49.00" in listed  # the fee once: ¥301.00 paid once
        shoot(page, tenant_id, "cart-08-orders-desktop")
    finally:
        desk.close()

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.set_default_timeout(WAIT_MS)
    try:
        page = phone.new_page()
        log_in(page, base, number, PASSWORD)
        assert page.goto(f"{base}/shop/p/GIFT100").status == 200
        with page.expect_navigation():
            page.locator("form.shop-add button").click()
        for index, (path, step) in enumerate(
            (("/shop/", "catalog"), ("/shop/p/GIFT100", "product"), ("/shop/cart", "cart"))
        ):
            assert page.goto(f"{base}{path}").status == 200
            _no_overflow(page)
            shoot(page, tenant_id, f"cart-1{index}-{step}-phone")
    finally:
        phone.close()
