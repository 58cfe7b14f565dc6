"""The issue's done-line: a demo-like customer pays a bill end to end in Chromium through the Alipay sandbox, and the
legacy database (sqlbss, the jiangnan demo's inbox table JK_HXSJ) receives the ``payment.posted`` write-back.

The legacy database is the jiangnan demo's (generated, with bills); the hall syncs its customers and bills, the
customer logs in, ticks nothing and pays everything owed on the number, presses 确认付款 at the sandbox, comes back
to the hall's result page, opens the receipt; the outbox then delivers the write-back into the legacy table.
Screenshots: test-artifacts/screenshots/billpay-*.png.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "plugins" / "alipay"))
sys.path.insert(0, str(TESTS / "legacy"))

from alipay_support import alipay_tenant_settings, start_sandbox, write_secrets  # noqa: E402
from billing_support import full_config  # noqa: E402
from test_pay_alipay import _delivered, off_loop  # noqa: E402

from core.testing import TenantSpec, sync  # noqa: E402
from core.testing.harness import PASSWORD  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 15_000
TENANT = "jiangnan"
INBOX = {
    "table": "JK_HXSJ",
    "event_id": "SJBH",
    "kind": "SJLX",
    "payload": "SJNR",
    "written": "JSSJ",
    "written_format": "text:%Y%m%d%H%M%S",
}
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


def legacy_database(path: Path):
    """The jiangnan demo's legacy database with 3 months of bills; the first demo customer's number owes its latest bill."""
    from core.demo.era import FIXED_END_MONTH
    from core.demo.legacy_db import generate_legacy_db

    customer = generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=8, style=TENANT, months=3)[0]
    number = customer.numbers[0]
    with closing(sqlite3.connect(path)) as conn, conn:
        latest = conn.execute("SELECT MAX(ZQ) FROM ZD_ZDXX WHERE HM = ?", (number,)).fetchone()[0]
        conn.execute("UPDATE ZD_ZDXX SET ZT = 'Y', YJE = ZJE WHERE HM = ?", (number,))
        conn.execute("UPDATE ZD_ZDXX SET ZT = 'W', YJE = '0.00' WHERE HM = ? AND ZQ = ?", (number, latest))
        bill, amount = conn.execute(
            "SELECT ZDBH, ZJE FROM ZD_ZDXX WHERE HM = ? AND ZQ = ?", (number, latest)
        ).fetchone()
    whole, _, part = amount.partition(".")
    return customer, number, bill, int(whole) * 100 + int((part + "00")[:2])


async def sign_up(tenant, legacy_id: str, number: str) -> None:
    from core.auth.customers import create_account
    from core.auth.passwords import hash_password
    from core.auth.tables import Customer
    from core.tenancy import tenant_scope

    with tenant_scope(tenant):
        row = await Customer.select().where(Customer.legacy_id == legacy_id).first()
        await create_account(customer=row, number=number, password_hash=await hash_password(PASSWORD), language="zh_CN")


@pytest.fixture
def served(hall_factory, tmp_path):
    """(harness, hall URL, sandbox, legacy path, number, bill id, amount in fen)."""
    from core.legacy.billing_sync import sync_billing
    from core.web.app import create_app
    from plugins.alipay.sandbox.runner import ServerThread

    sandbox = start_sandbox(tmp_path / "sandbox")
    path = tmp_path / "legacy" / f"{TENANT}.sqlite3"
    customer, number, bill, amount = legacy_database(path)

    def build():
        connector = {**full_config(TENANT), "url": f"sqlite:///{path}", "writeback": INBOX}
        harness = hall_factory(
            [
                TenantSpec(
                    TENANT,
                    plugins=["billpay"],
                    connector=connector,
                    payments={"providers": ["alipay"]},
                    plugin_settings=alipay_tenant_settings(sandbox.gateway),
                )
            ]
        )
        write_secrets(harness.hall.settings.config_file, TENANT)
        tenant = harness.tenant(TENANT)
        sync(harness, TENANT)
        harness.in_tenant(TENANT, sync_billing, tenant, harness.hall.connector(tenant), "bills")
        harness.run(sign_up(tenant, customer.legacy_id, number))
        close = harness.close
        harness.close = lambda: off_loop(close)  # hall_factory closes it while Playwright's loop still runs here
        return harness

    harness = off_loop(build)
    hall = ServerThread(create_app(harness.hall)).start(probe="/healthz")
    try:
        yield harness, hall.url, sandbox, path, number, bill, amount
    finally:
        hall.stop()
        sandbox.stop()


def test_a_demo_customer_pays_a_bill_in_chromium_and_the_legacy_system_gets_the_write_back(served, chromium, shoot):
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
        assert card.locator(f'tr[data-bill="{bill}"] td.owed').inner_text() == yuan
        assert card.locator(".total-owed").inner_text() == yuan
        shoot(page, "billpay", "01-owed")
        with page.expect_navigation(url=re.compile(re.escape(sandbox.gateway))):
            card.locator("button.pay-all").click()
        assert page.locator("#amount").inner_text() == yuan and number in page.locator("#subject").inner_text()
        shoot(page, "billpay", "02-sandbox-pay-page")
        with page.expect_navigation(url=re.compile(rf"/t/{TENANT}/pay/return/")):
            page.locator("button.pay").click()
        section = page.locator("section[data-payment]")
        section.wait_for()
        intent_id = section.get_attribute("data-payment")
        assert section.get_attribute("data-state") == "succeeded", page.locator("main").inner_text()[:300]
        shoot(page, "billpay", "03-return-page")
        with page.expect_navigation(url=re.compile(r"/billpay/receipt/")):
            page.locator("a.receipt-link").click()
        receipt = page.locator("section.receipt")
        assert receipt.get_attribute("data-state") == "succeeded" and receipt.locator(".amount").inner_text() == yuan
        assert page.locator(f'tr.receipt-bill[data-bill="{bill}"]').count() == 1
        shoot(page, "billpay", "04-receipt")
        receipt_url = page.url
        page.goto(f"{base}/billpay/")
        assert (
            page.locator(f'section[data-number="{number}"] .posting[data-bill="{bill}"]').count() == 1
        )  # paid, being posted
    finally:
        context.close()

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    phone.set_default_timeout(WAIT_MS)
    try:  # issue 15 item 19: the receipt fits a phone (its bills are small cards, nothing scrolls sideways)
        page = phone.new_page()
        page.goto(f"{base}/login")
        page.fill("#f-login", number)
        page.fill("#f-password", PASSWORD)
        with page.expect_navigation():
            page.locator('form[action$="/login"] button[type=submit]').click()
        page.goto(receipt_url)
        assert page.locator(f'tr.receipt-bill[data-bill="{bill}"]').is_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        shoot(page, "billpay", "05-receipt-phone")
    finally:
        phone.close()

    assert _delivered(sandbox, intent_id)["last_answer"] == "200 success"  # the notification came over HTTP too
    from core.legacy.outbox import deliver_due

    off_loop(lambda: harness.in_tenant(TENANT, deliver_due, harness.hall, TENANT))
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT SJBH, SJLX, SJNR FROM JK_HXSJ WHERE SJLX = 'payment.posted'").fetchall()
    from core.payments.settle import posted_event_id

    assert len(rows) == 1 and rows[0][0] == posted_event_id(TENANT, intent_id)  # written back once
    payload = json.loads(rows[0][2])
    assert payload["intent_id"] == intent_id and payload["amount_fen"] == amount
    assert payload["metadata"]["number"] == number and [b["bill_id"] for b in payload["metadata"]["bills"]] == [bill]
