"""The issue's done-line for the card shop, in Chromium on both demo tenants.

An operator generates a batch of ¥50 phone cards and puts it in stock (the PINs are made by the served hall, under
its own key); a customer sees their balance, buys a card through the Alipay sandbox, reads its serial and PIN once
on the order page, and tops up their own number with it. The outbox then writes the ``card.redeemed`` row into the
demo BSS's inbox table (JK_HXSJ); the test does what the BSS's own inbox batch does - credits ZH_YE - and the
customer sees the balance ¥50.00 higher. The same pages are then opened on a 390 px phone. The same on haibin (English; its BSS
inbox INTF_HALL_INBOX and balances ACC_BALANCE). Screenshots: test-artifacts/screenshots/<tenant>-shop-*.png.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import sys
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "alipay"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "wechatpay"))

import wechatpay_support  # noqa: E402
from alipay_support import key_pairs, write_sandbox_config  # noqa: E402
from browser_accounts import demo_accounts, in_live_hall, log_in, operator_log_in  # noqa: E402
from test_topup_browser import APPS, deliver_outbox  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 15_000
TENANTS = ("jiangnan", "haibin")
# each demo BSS's inbox (event kind, payload) and balance table: tenants/<id>/tenant.toml
INBOX = {"jiangnan": ("JK_HXSJ", "SJLX", "SJNR"), "haibin": ("INTF_HALL_INBOX", "EVENT_TYPE", "EVENT_BODY")}
PASSWORD = "Shop-e2e-2026-ok"
CLERK = ("e2e-shop", "E2e-shop-clerk-2026!")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    from plugins.alipay.sandbox.config import load_config
    from plugins.alipay.sandbox.runner import SandboxThread

    public = key_pairs().merchant_public
    config = write_sandbox_config(
        tmp_path_factory.mktemp("shop-sandbox"), apps={app: (seller, public) for app, seller in APPS.values()}
    )
    running = SandboxThread(load_config(config)).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def live_hall_setup(sandbox):
    keys = key_pairs()
    wechat = wechatpay_support.key_pairs()  # WeChat Pay is offered too: the choice page builds every provider

    def setup(root: Path, tenant_id: str, data: dict) -> None:
        assert "shop" in data["tenant"]["plugins"], f"tenants/{tenant_id}: the demo tenant should enable shop"
        data["plugins"]["alipay"]["gateway"] = sandbox.gateway
        values = {"merchant_private_key": wechat.merchant_private, "merchant_serial_no": wechatpay_support.SERIAL,
                  "apiv3_key": wechatpay_support.APIV3, "platform_public_key": wechat.platform_public,
                  "platform_public_key_id": wechatpay_support.KEY_ID}  # fmt: skip
        with (root / ".secrets.toml").open("a", encoding="utf-8") as secrets:
            secrets.write(
                f"[alipay.{tenant_id}]\napp_private_key = '''\n{keys.merchant_private}'''\n"
                f"alipay_public_key = '''\n{keys.sandbox_public}'''\n\n"
                f"[wechatpay.{tenant_id}]\n" + "".join(f"{k} = '''{v}'''\n" for k, v in values.items()) + "\n"
            )

    return setup


async def _catalog_and_clerk(hall) -> None:
    """The demo catalog without cards (cards are made in the browser, by the served hall), and a shop clerk."""
    from core.auth.admin import ensure_operator
    from core.tenancy import tenant_scope
    from plugins.shop.demo import CATALOG, add_product

    for tenant_id in TENANTS:
        tenant = hall.tenants.get(tenant_id)
        with tenant_scope(tenant):
            for entry in CATALOG:
                await add_product(entry, low_stock=2)
            await ensure_operator(
                tenant, CLERK[0], "E2E shop clerk", CLERK[1], "e2e-shop", ["shop.view", "shop.manage", "shop.orders"]
            )


def _no_overflow(page, width: int = 390) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= width, f"the page is {wide} px wide on a {width} px phone: it scrolls sideways"


def _balance(page, base: str, number: str) -> Decimal:
    assert page.goto(f"{base}/account/billing").status == 200
    text = page.locator(f'tr[data-account="{number}"] .balance').inner_text()
    return Decimal(re.search(r"-?[\d,]+\.\d\d", text).group(0).replace(",", ""))


def _bss_credits_its_inbox(legacy: Path, tenant_id: str) -> list[dict]:
    """What the demo BSS's inbox batch does with a card top-up: add the amount to the number's balance."""
    table, kind, payload = INBOX[tenant_id]
    with closing(sqlite3.connect(legacy)) as conn:
        rows = [
            json.loads(body)
            for (body,) in conn.execute(f"SELECT {payload} FROM {table} WHERE {kind} = 'card.redeemed'")  # noqa: S608
        ]
        for row in rows if tenant_id == "haibin" else ():
            conn.execute(
                "UPDATE ACC_BALANCE SET BALANCE_FEN = BALANCE_FEN + ?, UPD_TS = ? WHERE ACC_NBR = ?",
                (row["amount_fen"], int(dt.datetime.now().timestamp()), row["metadata"]["number"].ljust(20)),
            )
        for row in rows if tenant_id == "jiangnan" else ():
            number, fen = row["metadata"]["number"], row["amount_fen"]
            (old,) = conn.execute("SELECT YE FROM ZH_YE WHERE HM = ?", (number,)).fetchone()
            stamp = dt.datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d%H%M%S")  # the BSS stamps local time
            conn.execute(
                "UPDATE ZH_YE SET YE = ?, GXSJ = ? WHERE HM = ?",
                (str(Decimal(old) + Decimal(fen) / 100), stamp, number),
            )
        conn.commit()
    return rows


@pytest.fixture(scope="module")
def shop_hall(live_hall):
    in_live_hall(live_hall, "e2e-shop", _catalog_and_clerk)
    return live_hall, demo_accounts(
        live_hall, index=1, password=PASSWORD, seed_label="e2e-shop", calls_per_month=0, months=1
    )


@pytest.mark.parametrize("tenant_id", TENANTS)
def test_buy_a_card_read_its_pin_top_up_and_see_the_balance_and_the_bss_row(
    shop_hall, sandbox, chromium, shoot, tenant_id
):
    live_hall, logins = shop_hall
    number = logins[tenant_id]
    base = live_hall.base(tenant_id)
    desk = chromium.new_context(viewport={"width": 1280, "height": 900})
    desk.set_default_timeout(WAIT_MS)
    try:
        page = desk.new_page()
        # the operator makes five ¥50 cards and puts them in stock
        operator_log_in(page, base, CLERK[0], CLERK[1])
        assert page.goto(f"{base}/shop/console").status == 200
        page.select_option("#g-product", label="PHONE50")
        page.fill("#f-count", "5")
        with page.expect_navigation():
            page.locator('form[action$="/shop/console/batches"] button').click()
        with page.expect_navigation():
            page.locator("tr[data-batch] form[action$='/stock'] button").first.click()
        assert page.locator('tr[data-product="PHONE50"] td.free').inner_text() == "5"
        shoot(page, tenant_id, "shop-01-console-desktop")
        page.context.clear_cookies()

        log_in(page, base, number, PASSWORD)
        before = _balance(page, base, number)
        shoot(page, tenant_id, "shop-02-balance-before-desktop")
        assert page.goto(f"{base}/shop/").status == 200
        shoot(page, tenant_id, "shop-03-catalog-desktop")
        with page.expect_navigation():
            page.locator('li[data-code="PHONE50"] a').click()
        shoot(page, tenant_id, "shop-04-product-desktop")
        with page.expect_navigation():
            page.locator("button.shop-buy").click()
        with page.expect_navigation(url=re.compile(re.escape(sandbox.gateway))):
            page.locator("#pay-with-alipay").click()
        with page.expect_navigation(url=re.compile(rf"/t/{tenant_id}/pay/return/")):
            page.locator("button.pay").click()
        assert page.locator("section[data-payment]").get_attribute("data-state") == "succeeded"
        with page.expect_navigation(url=re.compile(r"/shop/orders/")):
            page.locator("a.shop-order-link").click()
        shoot(page, tenant_id, "shop-05-order-ready-desktop")
        order_url = page.url
        with page.expect_navigation():
            page.locator("button.shop-show").click()
        serial = page.locator(".shop-serial").inner_text().strip()
        pin = page.locator(".shop-pin").inner_text().strip()
        assert re.fullmatch(r"(\d{4} ){4}\d{2}", pin), pin  # 18 digits, in groups of four
        shoot(page, tenant_id, "shop-06-pin-shown-desktop")
        assert page.goto(order_url).status == 200 and page.locator(".shop-pin").count() == 0  # once only
        with page.expect_navigation():
            page.goto(f"{base}/shop/redeem")
        page.fill("#f-number", number)
        page.fill("#f-serial", serial)
        page.fill("#f-pin", pin)
        shoot(page, tenant_id, "shop-07-redeem-desktop")
        with page.expect_navigation():
            page.locator("form.shop-redeem-form button[type=submit]").click()
        done = page.locator(".shop-redeemed")
        assert "¥50.00" in done.inner_text() and number in done.inner_text(), page.locator("main").inner_text()[:300]
        shoot(page, tenant_id, "shop-08-redeemed-desktop")

        deliver_outbox(live_hall)
        rows = _bss_credits_its_inbox(live_hall.root / "legacy" / f"{tenant_id}.sqlite3", tenant_id)
        assert [(r["metadata"]["number"], r["amount_fen"], r["serial"]) for r in rows] == [(number, 5000, serial)]
        assert pin.replace(" ", "") not in json.dumps(rows)  # the PIN never goes to the BSS
        after = _balance(page, base, number)
        assert after - before == Decimal("50.00"), (before, after)
        shoot(page, tenant_id, "shop-09-balance-after-desktop")
        again = page.goto(f"{base}/shop/redeem")
        assert again.status == 200
    finally:
        desk.close()

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.set_default_timeout(WAIT_MS)
    try:
        page = phone.new_page()
        log_in(page, base, number, PASSWORD)
        for path, step in (
            ("/shop/", "catalog"),
            ("/shop/p/PHONE50", "product"),
            ("/shop/orders", "orders"),
            ("/shop/redeem", "redeem"),
        ):
            assert page.goto(f"{base}{path}").status == 200
            _no_overflow(page)
            shoot(page, tenant_id, f"shop-1{step[0]}-{step}-phone")
        assert page.goto(order_url).status == 200
        _no_overflow(page)
        shoot(page, tenant_id, "shop-19-order-phone")
    finally:
        phone.close()
