"""The issue's done-line for top-up: on both demo tenants a visitor tops up a number through the Alipay sandbox in
Chromium - on a desktop with a preset amount from the home page's box, on a 390 px phone with an amount typed - and,
after the outbox runs, the demo BSS's own inbox table (jiangnan JK_HXSJ, haibin INTF_HALL_INBOX) holds one
``payment.posted`` row per top-up, with the number and its account.

The hall is the demo's (the repository's tenant.toml files, with topup enabled), served by ``hall serve``; this module
only points its Alipay gateway at a local sandbox and writes the tenants' keys (``live_hall_setup``).
An operator then finds a top-up in the console on a phone. Screenshots: test-artifacts/screenshots/<tenant>-topup-*.png.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import re
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

from browser_accounts import operator_log_in

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "alipay"))

from alipay_support import key_pairs, write_sandbox_config  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 15_000
TENANTS = ("jiangnan", "haibin")
APPS = {"jiangnan": ("2021000000000001", "2088000000000001"), "haibin": ("2021000000000002", "2088000000000002")}
# (table, event id, kind, payload) of each demo BSS's inbox: tenants/<id>/tenant.toml [connector.writeback]
INBOX = {
    "jiangnan": ("JK_HXSJ", "SJBH", "SJLX", "SJNR"),
    "haibin": ("INTF_HALL_INBOX", "EVENT_ID", "EVENT_TYPE", "EVENT_BODY"),
}
# an active number of an active customer, and the customer's name, in each demo BSS's own tables
HOLDER = {
    "jiangnan": "SELECT h.HM, k.KHMC FROM YW_HMXX h JOIN KH_KHXX k ON k.KHBH = h.KHBH "
    "WHERE h.ZT = 'A' AND k.ZT = 'A' AND h.LX = 'YD' ORDER BY h.HM LIMIT 2",
    "haibin": "SELECT s.ACC_NBR, c.CUST_NAME FROM CRM_SUBS s JOIN CRM_CUST c ON c.AREA_NO = s.AREA_NO "
    "AND c.CUST_SEQ = s.CUST_SEQ WHERE s.SUBS_STATE = 0 AND c.STATE = 1 AND s.PROD_TYPE = 11 ORDER BY s.ACC_NBR LIMIT 2",
}
WORDS = {
    "jiangnan": {"pay": "立即充值", "receipt": "充值凭证"},
    "haibin": {"pay": "Top up now", "receipt": "Top-up receipt"},
}
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
        tmp_path_factory.mktemp("topup-sandbox"), apps={app: (seller, public) for app, seller in APPS.values()}
    )
    running = SandboxThread(load_config(config)).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def live_hall_setup(sandbox):
    """The demo tenants pay at the local sandbox, with the test key pairs in the hall's secrets file."""
    keys = key_pairs()

    def setup(root: Path, tenant_id: str, data: dict) -> None:
        assert "topup" in data["tenant"]["plugins"], f"tenants/{tenant_id}: the demo tenant should enable topup"
        data["plugins"]["alipay"]["gateway"] = sandbox.gateway
        with (root / ".secrets.toml").open("a", encoding="utf-8") as secrets:
            secrets.write(
                f"[alipay.{tenant_id}]\napp_private_key = '''\n{keys.merchant_private}'''\n"
                f"alipay_public_key = '''\n{keys.sandbox_public}'''\n\n"
            )

    return setup


def holders(hall, tenant_id: str) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(hall.root / "legacy" / f"{tenant_id}.sqlite3")) as conn:
        return [(str(number), name) for number, name in conn.execute(HOLDER[tenant_id]).fetchall()]


def _no_overflow(page, width: int = 390) -> None:
    """Nothing wider than the phone (a mobile viewport widens to its content, so innerWidth would not tell)."""
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= width, f"the page is {wide} px wide on a {width} px phone: it scrolls sideways"


def pay_at_sandbox(page, sandbox, tenant_id: str, shoot, step: str) -> str:
    """From the hall's amount page: Alipay on the core's choice page (the demo tenants offer WeChat Pay too), the
    sandbox, press pay, back on the hall's result page; the payment's id."""
    with page.expect_navigation():
        page.locator("form.topup-amount button.pay").click()
    with page.expect_navigation(url=re.compile(re.escape(sandbox.gateway))):
        page.locator("#pay-with-alipay").click()
    shoot(page, tenant_id, f"topup-{step}-sandbox")
    with page.expect_navigation(url=re.compile(rf"/t/{tenant_id}/pay/return/")):
        page.locator("button.pay").click()
    section = page.locator("section[data-payment]")
    section.wait_for()
    assert section.get_attribute("data-state") == "succeeded", page.locator("main").inner_text()[:300]
    return section.get_attribute("data-payment")


def check_receipt(page, number: str, masked: str, amount: str, name: str) -> None:
    receipt = page.locator("section.topup-receipt")
    assert receipt.get_attribute("data-state") == "succeeded"
    assert receipt.locator(".number").inner_text() == number
    assert receipt.locator(".holder-name").inner_text() == masked
    assert receipt.locator(".amount").inner_text() == amount
    assert receipt.locator(".trade-no").inner_text().strip() not in ("", "-")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", receipt.locator(".paid-at").inner_text())
    assert name not in page.content()


@pytest.mark.parametrize("tenant_id", TENANTS)
def test_a_visitor_tops_up_through_the_sandbox_and_the_bss_gets_the_payment(
    live_hall, sandbox, chromium, shoot, tenant_id
):
    from core.privacy import mask_name

    base = live_hall.base(tenant_id)
    words = WORDS[tenant_id]
    (desk_number, desk_name), (phone_number, phone_name) = holders(live_hall, tenant_id)
    paid: dict[str, tuple[str, str, int]] = {}  # intent id -> (number, receipt url, fen)

    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        assert page.goto(f"{base}/").status == 200
        shoot(page, tenant_id, "topup-01-home-desktop")
        page.fill("#topup-home-number", desk_number)
        with page.expect_navigation():
            page.locator("form.topup-home button[type=submit]").click()
        assert page.locator("section.topup").get_attribute("data-number") == desk_number
        assert page.locator(".holder-name").inner_text() == mask_name(desk_name)
        assert desk_name not in page.content()
        page.locator("label.preset", has_text=re.compile(r"¥50$")).click()
        assert page.locator("form.topup-amount button.pay").inner_text() == words["pay"]
        shoot(page, tenant_id, "topup-02-amount-desktop")
        intent_id = pay_at_sandbox(page, sandbox, tenant_id, shoot, "03")
        shoot(page, tenant_id, "topup-04-return-desktop")
        with page.expect_navigation(url=re.compile(r"/topup/receipt/")):
            page.locator("a.receipt-link").click()
        assert page.locator("h1").inner_text() == words["receipt"]
        check_receipt(page, desk_number, mask_name(desk_name), "¥50.00", desk_name)
        shoot(page, tenant_id, "topup-05-receipt-desktop")
        paid[intent_id] = (desk_number, page.url, 5000)
    finally:
        context.close()

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.set_default_timeout(WAIT_MS)
    try:
        page = phone.new_page()
        assert page.goto(f"{base}/topup/").status == 200
        _no_overflow(page)
        page.fill("#f-number", phone_number)
        with page.expect_navigation():
            page.locator("form.topup-number button[type=submit]").click()
        assert page.locator(".holder-name").inner_text() == mask_name(phone_name)
        page.fill("#f-custom_amount", "66.6")  # typing ticks "Other amount" (topup.js)
        assert page.locator('input[name="amount"][value="custom"]').is_checked()
        _no_overflow(page)
        shoot(page, tenant_id, "topup-06-amount-phone")
        intent_id = pay_at_sandbox(page, sandbox, tenant_id, shoot, "07")
        with page.expect_navigation(url=re.compile(r"/topup/receipt/")):
            page.locator("a.receipt-link").click()
        check_receipt(page, phone_number, mask_name(phone_name), "¥66.60", phone_name)
        _no_overflow(page)
        shoot(page, tenant_id, "topup-08-receipt-phone")
        paid[intent_id] = (phone_number, page.url, 6660)
    finally:
        phone.close()

    deliver_outbox(live_hall)
    table, event_id, kind, payload = INBOX[tenant_id]
    with closing(sqlite3.connect(live_hall.root / "legacy" / f"{tenant_id}.sqlite3")) as conn:
        rows = conn.execute(f"SELECT {event_id}, {payload} FROM {table} WHERE {kind} = 'payment.posted'").fetchall()
    from core.payments.settle import posted_event_id

    written = {json.loads(body)["intent_id"]: (event, json.loads(body)) for event, body in rows}
    for intent_id, (number, _, fen) in paid.items():
        event, body = written[intent_id]  # written back, once per payment
        assert sum(1 for e, _ in rows if e == event) == 1 and event == posted_event_id(tenant_id, intent_id)
        assert (body["purpose"], body["owner"], body["amount_fen"]) == ("topup", "topup", fen)
        assert body["metadata"] == {"number": number, "account": number}  # the demo BSSs bill per number


@pytest.mark.parametrize("tenant_id", TENANTS)
def test_an_operator_finds_a_top_up_in_the_console_on_a_phone(live_hall, sandbox, chromium, shoot, tenant_id):
    """A visitor tops up; the console lists it (a card per row on a 390 px phone) and opens it, refund form and all."""
    in_hall(live_hall, add_cashier)
    base = live_hall.base(tenant_id)
    number, _ = holders(live_hall, tenant_id)[0]
    desk = chromium.new_context(viewport={"width": 1280, "height": 900})
    desk.set_default_timeout(WAIT_MS)
    try:
        page = desk.new_page()
        page.goto(f"{base}/topup/?number={number}")
        with page.expect_navigation():
            page.locator("form.topup-number button[type=submit]").click()
        page.locator("label.preset").first.click()
        intent_id = pay_at_sandbox(page, sandbox, tenant_id, shoot, "console")
    finally:
        desk.close()
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.set_default_timeout(WAIT_MS)
    try:
        page = phone.new_page()
        operator_log_in(page, base, CASHIER[0], CASHIER[1])
        assert page.goto(f"{base}/topup/console").status == 200
        row = page.locator(f'tr.topup-row[data-payment="{intent_id}"]')
        assert row.count() == 1, page.locator("main").inner_text()[:300]
        assert row.locator("td.state").inner_text() == ("已支付" if tenant_id == "jiangnan" else "Paid")
        _no_overflow(page)
        shoot(page, tenant_id, "topup-09-console-phone")
        with page.expect_navigation(url=re.compile(rf"/topup/console/{intent_id}")):
            row.locator("a").first.click()
        assert page.locator("section.topup-detail").get_attribute("data-state") == "succeeded"
        assert page.locator("form.topup-refund").count() == 1
        _no_overflow(page)
        shoot(page, tenant_id, "topup-10-console-topup-phone")
    finally:
        phone.close()


CASHIER = ("e2e-topup", "E2e-topup-cashier-2026!")


async def add_cashier(hall) -> None:
    from core.auth.admin import ensure_operator

    for tenant in hall.tenants:
        await ensure_operator(
            tenant, CASHIER[0], "E2E cashier", CASHIER[1], "e2e-topup", ["topup.view", "topup.refund"]
        )


async def deliver(hall) -> None:
    from core.legacy.outbox import deliver_due
    from core.tenancy import tenant_scope

    for tenant in hall.tenants:
        with tenant_scope(tenant):
            await deliver_due(hall, tenant.id)


def deliver_outbox(live_hall) -> None:
    """Run the outbox (``core.deliver_outbox``) for every tenant now, against the served hall's database."""
    in_hall(live_hall, deliver)


def in_hall(live_hall, job) -> None:
    """``await job(hall)`` with the served hall's configuration and database, from a clean environment."""

    async def run():
        from core.hall import Hall

        hall = Hall.from_config(live_hall.config)
        await hall.db.connect()
        try:
            await job(hall)
        finally:
            for connector in hall.connectors.values():
                await connector.close()
            await hall.db.disconnect()

    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env["HALL_SECURITY__SECRET_KEY"] = "topup-e2e-setup-" + "x" * 24  # nothing done here depends on the secret
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, run()).result()
    finally:
        os.environ.clear()
        os.environ.update(saved)
