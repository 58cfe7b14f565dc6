"""A demo customer applies for a mailbox in a real browser (desktop and a 390 px phone), an operator approves it on
the console, and the mailbox then logs in over IMAP to a real Dovecot started for this module on loopback.

Screenshots land in test-artifacts/screenshots/<tenant>-mailbox-<step>.png.
"""

from __future__ import annotations

import imaplib
import tempfile
import time
from pathlib import Path

import pytest

from browser_accounts import demo_accounts, log_in, no_sideways_scroll, operators_everywhere, operator_log_in
from plugins.mailbox import server

CHROMIUM = Path("/usr/bin/chromium")
DEVICES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
WAIT_MS = 15_000
PASSWORD = "Mailbox-2026-ok"
MAIL_PASSWORD = "Imap-Secret-42"
OPERATOR = ("e2e-mailbox", "Mailbox-operator-2026!")
DOMAINS = {"jiangnan": "mail.jiangnan.example.cn", "haibin": "mail.haibin.example.cn"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
    pytest.mark.skipif(not server.installed(), reason="dovecot is not installed (scripts/ensure-dovecot)"),
]


@pytest.fixture(scope="module")
def mail_server():
    instance = server.LocalDovecot(Path(tempfile.mkdtemp(prefix="hall-e2e-dovecot-")), server.free_port()).start()
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def live_hall_setup(mail_server):
    """The demo tenants' mailboxes go to this module's Dovecot."""

    def setup(root, tenant_id, data):
        section = data.setdefault("plugins", {}).setdefault("mailbox", {})
        section.update(
            users_dir=str(mail_server.users_dir), mail_root=str(mail_server.mail_root), imap_port=mail_server.port
        )

    return setup


@pytest.fixture(scope="module")
def mailbox_hall(live_hall):
    desktop = demo_accounts(live_hall, index=1, password=PASSWORD, seed_label="e2e-mail-d", calls_per_month=0, months=1)
    phone = demo_accounts(live_hall, index=3, password=PASSWORD, seed_label="e2e-mail-p", calls_per_month=0, months=1)
    operators_everywhere(
        live_hall,
        *OPERATOR,
        name="Mailbox operator",
        department="e2e-mailbox",
        permissions=["core.products.view", "core.products.handle", "core.workorders.handle", "mailbox.view"],
    )
    return live_hall, {"desktop": desktop, "phone": phone}


def _imap_login(port: int, address: str, password: str) -> bool:
    time.sleep(1.05)  # Dovecot's passwd-file driver looks at the file at most once a second
    conn = imaplib.IMAP4("127.0.0.1", port, timeout=10)
    try:
        conn.login(address, password)
        conn.logout()
        return True
    except imaplib.IMAP4.error:
        return False


@pytest.mark.parametrize("tenant", sorted(DOMAINS))
def test_a_customer_applies_an_operator_approves_and_the_mailbox_logs_in(
    mailbox_hall, mail_server, chromium, shoot, tenant
):
    hall, logins = mailbox_hall
    TENANT = tenant
    base = hall.base(TENANT)
    errors: list[str] = []
    orders: dict[str, tuple[str, str]] = {}
    for device, viewport in DEVICES.items():
        context = chromium.new_context(viewport=viewport)
        context.set_default_timeout(WAIT_MS)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            log_in(page, base, logins[device][TENANT], PASSWORD)
            page.goto(f"{base}/mailbox/")
            shoot(page, TENANT, f"mailbox-index-{device}")
            with page.expect_navigation():
                page.locator("a.apply-mailbox").click()
            local = f"e2e.{device}"
            page.fill("#f-local_part", "postmaster")  # reserved: refused next to the field
            page.fill("#f-password", MAIL_PASSWORD)
            page.fill("#f-password2", MAIL_PASSWORD)
            with page.expect_navigation():
                page.locator("button.submit-application").click()
            assert page.locator("#local_part-error").count() == 1
            no_sideways_scroll(page)
            shoot(page, TENANT, f"mailbox-apply-error-{device}")
            page.fill("#f-local_part", local)
            page.fill("#f-password", MAIL_PASSWORD)
            page.fill("#f-password2", MAIL_PASSWORD)
            with page.expect_navigation():
                page.locator("button.submit-application").click()
            assert "/account/product-orders/" in page.url, page.url
            no_sideways_scroll(page)
            shoot(page, TENANT, f"mailbox-order-{device}")
            address = f"{local}@{DOMAINS[tenant]}"
            orders[device] = (page.url, address)
            assert _imap_login(mail_server.port, address, MAIL_PASSWORD) is False  # not before approval
        finally:
            context.close()

    context = chromium.new_context(viewport=DEVICES["desktop"])
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        operator_log_in(page, base, OPERATOR[0], OPERATOR[1])
        page.goto(f"{base}/console/product-orders?type=mailbox.apply")
        shoot(page, TENANT, "mailbox-console-queue")
        for device, (url, _address) in orders.items():
            order_id = url.rstrip("/").rsplit("/", 1)[1]
            page.goto(f"{base}/console/product-orders/{order_id}")
            with page.expect_navigation():
                page.locator("button.step-finish_approve").click()
            assert page.locator(".order-state").get_attribute("data-state") == "completed", hall.server_log()
            if device == "desktop":
                shoot(page, TENANT, "mailbox-console-approved")
        page.goto(f"{base}/mailbox/console")
        shoot(page, TENANT, "mailbox-console-list")
    finally:
        context.close()

    for device, (_url, address) in orders.items():
        assert _imap_login(mail_server.port, address, MAIL_PASSWORD) is True, device
        context = chromium.new_context(viewport=DEVICES[device])
        context.set_default_timeout(WAIT_MS)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            log_in(page, base, logins[device][TENANT], PASSWORD)
            page.goto(f"{base}/mailbox/")
            card = page.locator(f'section.mailbox[data-address="{address}"]')
            assert card.get_attribute("data-state") == "active"
            with page.expect_navigation():
                card.locator("a.button").click()
            no_sideways_scroll(page)
            shoot(page, TENANT, f"mailbox-detail-{device}")
        finally:
            context.close()
    assert errors == []
