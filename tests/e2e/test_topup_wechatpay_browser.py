"""Top-up with WeChat Pay in Chromium, on both demo tenants: the visitor chooses WeChat Pay on the core's choice page.

On a desktop the hall shows its scan page (the Native order's code as an image); "scanning" opens the sandbox's
pay page, 确认支付 pays, the sandbox's signed, encrypted notification reaches the hall over HTTP and the scan page
moves on to the paid return page. On a 390 px phone the order is H5: the browser goes to the sandbox's page and
comes back to the return page. The demo BSS's inbox then holds one ``payment.posted`` row per top-up. topup itself
is unchanged: the tenant offers Alipay and WeChat Pay and the core asks which.
Screenshots: test-artifacts/screenshots/<tenant>-topup-wechatpay-*.png (the choice and scan pages included).
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
sys.path.insert(0, str(TESTS / "plugins" / "wechatpay"))

import alipay_support  # noqa: E402
import wechatpay_support  # noqa: E402
from test_topup_browser import INBOX, TENANTS, WAIT_MS, _no_overflow, check_receipt, deliver_outbox, holders  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
WORDS = {
    "jiangnan": {"choose": "选择支付方式", "wechatpay": "微信支付", "scan": "扫码支付", "open": "在本设备上打开付款页面"},
    "haibin": {"choose": "Choose how to pay", "wechatpay": "WeChat Pay", "scan": "Scan to pay",
               "open": "Open the payment page on this device"},
}  # fmt: skip
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = wechatpay_support.start_sandbox(tmp_path_factory.mktemp("topup-wxsandbox"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def live_hall_setup(sandbox):
    """The demo tenants take WeChat Pay at the local sandbox (its test merchant), keys in the hall's secrets file."""
    alipay = alipay_support.key_pairs()
    wechat = wechatpay_support.key_pairs()

    def setup(root: Path, tenant_id: str, data: dict) -> None:
        assert data["payments"]["providers"] == ["alipay", "wechatpay"], f"tenants/{tenant_id} should offer both"
        data["plugins"]["wechatpay"] = wechatpay_support.tenant_settings(sandbox.url)["wechatpay"]
        values = {"merchant_private_key": wechat.merchant_private, "merchant_serial_no": wechatpay_support.SERIAL,
                  "apiv3_key": wechatpay_support.APIV3, "platform_public_key": wechat.platform_public,
                  "platform_public_key_id": wechatpay_support.KEY_ID}  # fmt: skip
        with (root / ".secrets.toml").open("a", encoding="utf-8") as secrets:
            secrets.write(
                f"[alipay.{tenant_id}]\napp_private_key = '''\n{alipay.merchant_private}'''\n"
                f"alipay_public_key = '''\n{alipay.sandbox_public}'''\n\n"
                f"[wechatpay.{tenant_id}]\n" + "".join(f"{k} = '''{v}'''\n" for k, v in values.items()) + "\n"
            )

    return setup


def choose_wechatpay(page, tenant_id: str, shoot, step: str, phone: bool) -> None:
    """From the amount page: pay → the core's choice page (both providers offered) → WeChat Pay."""
    words = WORDS[tenant_id]
    with page.expect_navigation():
        page.locator("form.topup-amount button.pay").click()
    choose = page.locator("section.pay-choose")
    assert choose.locator("h1").inner_text() == words["choose"]
    assert page.locator("#pay-with-alipay").is_visible()
    assert page.locator("#pay-with-wechatpay").inner_text() == words["wechatpay"]
    if phone:
        _no_overflow(page)
    shoot(page, tenant_id, f"topup-wechatpay-{step}-choose")


def confirm_at_sandbox(page, tenant_id: str, amount: str, shoot, step: str) -> None:
    assert page.locator("#amount").inner_text() == amount
    shoot(page, tenant_id, f"topup-wechatpay-{step}-sandbox")
    page.locator("#confirm").click()


def paid_return_page(page) -> str:
    section = page.locator("section[data-payment]")
    section.wait_for()
    assert section.get_attribute("data-state") == "succeeded", page.locator("main").inner_text()[:300]
    return section.get_attribute("data-payment")


@pytest.mark.parametrize("tenant_id", TENANTS)
def test_a_visitor_tops_up_with_wechatpay_on_a_desktop_and_a_phone(live_hall, sandbox, chromium, shoot, tenant_id):
    from core.privacy import mask_name

    base = live_hall.base(tenant_id)
    words = WORDS[tenant_id]
    (desk_number, desk_name), (phone_number, phone_name) = holders(live_hall, tenant_id)
    paid: dict[str, tuple[str, int]] = {}

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(f"{base}/topup/?number={desk_number}")
        with page.expect_navigation():
            page.locator("form.topup-number button[type=submit]").click()
        page.locator("label.preset", has_text=re.compile(r"¥50$")).click()
        choose_wechatpay(page, tenant_id, shoot, "01", phone=False)
        with page.expect_navigation(url=re.compile(rf"/t/{tenant_id}/pay/scan/")):
            page.locator("#pay-with-wechatpay").click()
        scan_url = page.url
        scan = page.locator("section.pay-scan")
        assert scan.locator("h1").inner_text() == words["scan"]
        assert page.locator("#pay-qr").evaluate("img => img.naturalWidth") > 0  # the code, as an image
        assert scan.locator(".amount").inner_text() == "¥50.00"
        assert page.locator("#pay-open-link").inner_text() == words["open"]
        shoot(page, tenant_id, "topup-wechatpay-02-scan-desktop")
        with page.expect_navigation(url=re.compile(re.escape(sandbox.url + "/sandbox/checkout/"))):
            page.locator("#pay-open-link").click()  # what scanning the code does on a phone
        confirm_at_sandbox(page, tenant_id, "¥50.00", shoot, "03")
        page.locator("#state").wait_for()
        page.goto(scan_url)  # the scan page reloads itself until the payment has moved on
        page.wait_for_url(re.compile(rf"/t/{tenant_id}/pay/return/"), timeout=WAIT_MS)
        intent_id = paid_return_page(page)
        shoot(page, tenant_id, "topup-wechatpay-04-return-desktop")
        with page.expect_navigation(url=re.compile(r"/topup/receipt/")):
            page.locator("a.receipt-link").click()
        check_receipt(page, desk_number, mask_name(desk_name), "¥50.00", desk_name)
        paid[intent_id] = (desk_number, 5000)
    finally:
        context.close()

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, user_agent=IPHONE)  # fmt: skip
    phone.set_default_timeout(WAIT_MS)
    try:
        page = phone.new_page()
        page.goto(f"{base}/topup/?number={phone_number}")
        with page.expect_navigation():
            page.locator("form.topup-number button[type=submit]").click()
        page.fill("#f-custom_amount", "66.6")
        choose_wechatpay(page, tenant_id, shoot, "05", phone=True)
        with page.expect_navigation(url=re.compile(re.escape(sandbox.url + "/sandbox/checkout/"))):
            page.locator("#pay-with-wechatpay").click()  # H5: straight to WeChat Pay's page
        _no_overflow(page)
        with page.expect_navigation(url=re.compile(rf"/t/{tenant_id}/pay/return/")):
            confirm_at_sandbox(page, tenant_id, "¥66.60", shoot, "06")
        intent_id = paid_return_page(page)
        _no_overflow(page)
        shoot(page, tenant_id, "topup-wechatpay-07-return-phone")
        with page.expect_navigation(url=re.compile(r"/topup/receipt/")):
            page.locator("a.receipt-link").click()
        check_receipt(page, phone_number, mask_name(phone_name), "¥66.60", phone_name)
        _no_overflow(page)
        shoot(page, tenant_id, "topup-wechatpay-08-receipt-phone")
        paid[intent_id] = (phone_number, 6660)
    finally:
        phone.close()

    for intent_id in paid:  # each paid by WeChat Pay, its notification answered 204 (verified, decrypted, handled)
        notes = sandbox.store.notifications(wechatpay_support.MCH_ID, intent_id)
        assert notes and notes[0]["last_answer"].startswith("204"), notes
    deliver_outbox(live_hall)
    table, event_id, kind, payload = INBOX[tenant_id]
    with closing(sqlite3.connect(live_hall.root / "legacy" / f"{tenant_id}.sqlite3")) as conn:
        rows = conn.execute(f"SELECT {event_id}, {payload} FROM {table} WHERE {kind} = 'payment.posted'").fetchall()
    from core.payments.settle import posted_event_id

    written = {json.loads(body)["intent_id"]: (event, json.loads(body)) for event, body in rows}
    for intent_id, (number, fen) in paid.items():
        event, body = written[intent_id]
        assert sum(1 for e, _ in rows if e == event) == 1 and event == posted_event_id(tenant_id, intent_id)
        assert (body["purpose"], body["owner"], body["amount_fen"], body["metadata"]["number"]) == ("topup", "topup", fen, number)  # fmt: skip
