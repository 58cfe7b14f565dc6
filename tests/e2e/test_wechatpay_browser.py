"""The issue's done-line for WeChat Pay: a demo-like customer pays a bill in Chromium, choosing WeChat Pay at checkout,
"scanning" the code (opening the sandbox's pay page the code points to) and confirming there; the sandbox's signed and
encrypted notification reaches the hall over HTTP, the scan page moves on to the paid return page, and the legacy
system gets the write-back once. billpay is unchanged: the tenant offers Alipay and WeChat Pay, the core asks which.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "plugins" / "alipay"))
sys.path.insert(0, str(TESTS / "plugins" / "wechatpay"))
sys.path.insert(0, str(TESTS / "legacy"))

import alipay_support  # noqa: E402
import wechatpay_support  # noqa: E402
from billing_support import full_config  # noqa: E402
from test_billpay_browser import INBOX, TENANT, WAIT_MS, legacy_database, sign_up  # noqa: E402
from test_pay_alipay import off_loop  # noqa: E402

from core.testing import TenantSpec, sync  # noqa: E402
from core.testing.harness import PASSWORD  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


@pytest.fixture
def served(hall_factory, tmp_path):
    from core.legacy.billing_sync import sync_billing
    from core.web.app import create_app
    from plugins.alipay.sandbox.runner import ServerThread

    sandbox = wechatpay_support.start_sandbox(tmp_path / "wxsandbox")
    path = tmp_path / "legacy" / f"{TENANT}.sqlite3"
    customer, number, bill, amount = legacy_database(path)

    def build():
        connector = {**full_config(TENANT), "url": f"sqlite:///{path}", "writeback": INBOX}
        settings = alipay_support.alipay_tenant_settings("http://127.0.0.1:9/gateway.do")
        harness = hall_factory(
            [
                TenantSpec(
                    TENANT,
                    plugins=["billpay"],
                    connector=connector,
                    payments={"providers": ["alipay", "wechatpay"]},
                    plugin_settings=settings | wechatpay_support.tenant_settings(sandbox.url),
                )
            ]
        )
        config = harness.hall.settings.config_file
        alipay_secrets = alipay_support.write_secrets(config, TENANT).read_text()
        wechatpay_support.write_secrets(
            config, TENANT, extra="\n" + alipay_secrets, app_secret=wechatpay_support.APP_SECRET
        )
        tenant = harness.tenant(TENANT)
        sync(harness, TENANT)
        harness.in_tenant(TENANT, sync_billing, tenant, harness.hall.connector(tenant), "bills")
        harness.run(sign_up(tenant, customer.legacy_id, number))
        close = harness.close
        harness.close = lambda: off_loop(close)
        return harness

    harness = off_loop(build)
    hall = ServerThread(create_app(harness.hall)).start(probe="/healthz")
    try:
        yield harness, hall.url, sandbox, path, number, bill, amount
    finally:
        hall.stop()
        sandbox.stop()


def test_a_demo_customer_pays_a_bill_with_wechatpay_in_chromium(served, chromium, shoot):
    harness, url, sandbox, path, number, bill, amount = served
    base = f"{url}/t/{TENANT}"
    yuan = f"¥{amount // 100}.{amount % 100:02d}"
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("#f-login", number)
        page.fill("#f-password", PASSWORD)
        with page.expect_navigation():
            page.locator('form[action$="/login"] button[type=submit]').click()
        page.goto(f"{base}/billpay/")
        card = page.locator(f'section[data-number="{number}"]')
        with page.expect_navigation():
            card.locator("button.pay-all").click()
        assert page.locator("#pay-with-alipay").is_visible() and page.locator("#pay-with-wechatpay").is_visible()
        assert page.locator("section.pay-choose .amount").inner_text() == yuan
        shoot(page, "wechatpay", "01-choose")
        with page.expect_navigation(url=re.compile(rf"/t/{TENANT}/pay/scan/")):
            page.locator("#pay-with-wechatpay").click()
        scan_url = page.url
        assert page.locator("#pay-qr").evaluate("img => img.naturalWidth") > 0  # the code, rendered as an image
        shoot(page, "wechatpay", "02-scan")
        with page.expect_navigation(url=re.compile(re.escape(sandbox.url + "/sandbox/checkout/"))):
            page.locator("#pay-open-link").click()  # what scanning the code does on a phone
        assert page.locator("#amount").inner_text() == yuan and number in page.locator("#subject").inner_text()
        shoot(page, "wechatpay", "03-sandbox-pay-page")
        page.locator("#confirm").click()
        page.locator("#state").wait_for()
        page.goto(scan_url)  # the scan page reloads itself until the payment moved on
        page.wait_for_url(re.compile(rf"/t/{TENANT}/pay/return/"), timeout=WAIT_MS)
        section = page.locator("section[data-payment]")
        intent_id = section.get_attribute("data-payment")
        assert section.get_attribute("data-state") == "succeeded", page.locator("main").inner_text()[:300]
        shoot(page, "wechatpay", "04-return-page")
    finally:
        context.close()

    [note] = sandbox.store.notifications(wechatpay_support.MCH_ID, intent_id)
    assert note["last_answer"].startswith("204")  # the notification came over HTTP, verified and decrypted
    from core.legacy.outbox import deliver_due
    from core.payments.settle import posted_event_id

    off_loop(lambda: harness.in_tenant(TENANT, deliver_due, harness.hall, TENANT))
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT SJBH FROM JK_HXSJ WHERE SJLX = 'payment.posted'").fetchall()
    assert rows == [(posted_event_id(TENANT, intent_id),)]  # written back once


WECHAT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0.49 NetType/WIFI"


def test_inside_wechat_a_customer_pays_a_bill_through_jsapi(served, chromium, shoot):
    """JSAPI: WeChat's silent sign-in (the sandbox), the bridge page, the pay sheet, back to the paid return page."""
    harness, url, sandbox, path, number, bill, amount = served
    base = f"{url}/t/{TENANT}"
    yuan = f"¥{amount // 100}.{amount % 100:02d}"
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, user_agent=WECHAT, locale="zh-CN", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("#f-login", number)
        page.fill("#f-password", PASSWORD)
        with page.expect_navigation():
            page.locator('form[action$="/login"] button[type=submit]').click()
        page.goto(f"{base}/billpay/")
        shoot(page, "wechatpay-jsapi", "01-billpay-phone")
        # inside WeChat, WeChat Pay is the only choice: sign-in (silent), back to the hall, the bridge page
        # hands the signed request to the pay sheet
        with page.expect_navigation(url=re.compile(re.escape(sandbox.url + "/sandbox/jsapi"))):
            page.locator(f'section[data-number="{number}"] button.pay-all').click()
        assert page.locator("#amount").inner_text() == yuan
        shoot(page, "wechatpay-jsapi", "02-pay-sheet")
        with page.expect_navigation(url=re.compile(rf"/t/{TENANT}/pay/return/")):
            page.locator("#confirm").click()
        section = page.locator("section[data-payment]")
        intent_id = section.get_attribute("data-payment")
        if section.get_attribute("data-state") != "succeeded":  # the notification may land just after: reload once
            page.wait_for_timeout(500)
            page.reload()
        assert section.get_attribute("data-state") == "succeeded", page.locator("main").inner_text()[:300]
        shoot(page, "wechatpay-jsapi", "03-return-page")
    finally:
        context.close()
    trade = sandbox.store.trade(wechatpay_support.MCH_ID, intent_id)
    assert trade["trade_type"] == "JSAPI" and trade["state"] == "SUCCESS"
