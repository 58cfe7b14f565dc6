"""A real browser pays end to end through the local Alipay sandbox, in Chromium.

The hall (a test hall whose tenant alpha takes Alipay payments for the
test-only ``alishop`` plugin, until the bill-payment plugin exists) and the
sandbox are both served by granian on free ports. The customer logs in, buys,
lands on the sandbox's pay page (zh_CN), presses 确认付款 and comes back to the
hall's return page; the sandbox's signed notification reaches the hall's
notify endpoint over real HTTP. The intent is paid exactly once.
Screenshots: test-artifacts/screenshots/alipay-*.png.
"""

from __future__ import annotations

import concurrent.futures
import json
import re
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "alipay"))

import alipay_shop  # noqa: E402
from alipay_support import APP_ID, alipay_tenant_settings, start_sandbox, write_secrets  # noqa: E402

from core.testing import TenantSpec, make_customer, register_customer  # noqa: E402
from core.testing.harness import PASSWORD  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 15_000
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


@pytest.fixture
def served(hall_factory, tmp_path):
    """(harness, hall URL, sandbox, customer): the hall and the sandbox on free ports, a registered customer."""
    from core.web.app import create_app
    from plugins.alipay.sandbox.runner import ServerThread

    sandbox = start_sandbox(tmp_path / "sandbox")
    customer = make_customer(7)

    def build():
        harness = hall_factory(
            [
                TenantSpec(
                    "alpha",
                    plugins=["alishop"],
                    payments={"providers": ["alipay"]},
                    plugin_settings=alipay_tenant_settings(sandbox.gateway),
                )
            ],
            extra_plugins={"alishop": alipay_shop},
        )
        write_secrets(harness.hall.settings.config_file, "alpha")
        register_customer(harness, "alpha", customer)
        close = harness.close
        harness.close = lambda: off_loop(close)  # hall_factory closes it while Playwright's loop still runs here
        return harness

    harness = off_loop(build)
    hall = ServerThread(create_app(harness.hall)).start(probe="/healthz")
    try:
        yield harness, hall.url, sandbox, customer
    finally:
        hall.stop()
        sandbox.stop()


def test_a_customer_pays_through_the_sandbox_in_chromium(served, chromium, shoot):
    harness, url, sandbox, customer = served
    base = f"{url}/t/alpha"
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("#f-login", customer.numbers[0].number)
        page.fill("#f-password", PASSWORD)
        with page.expect_navigation():
            page.locator('form[action$="/login"] button[type=submit]').click()
        page.goto(f"{base}/alishop/")
        with page.expect_navigation(url=re.compile(re.escape(sandbox.gateway))):
            page.locator("#buy-card50").click()
        assert (
            page.locator("#amount").inner_text() == "¥50.00"
            and "充值卡 card50" in page.locator("#subject").inner_text()
        )
        shoot(page, "alipay", "01-sandbox-pay-page")
        with page.expect_navigation(url=re.compile(r"/t/alpha/pay/return/")):
            page.locator("button.pay").click()
        section = page.locator("section[data-payment]")
        section.wait_for()
        shoot(page, "alipay", "02-return-page")
        intent_id = section.get_attribute("data-payment")
        assert section.get_attribute("data-state") == "succeeded", page.locator("main").inner_text()[:300]
    finally:
        context.close()

    note = _delivered(sandbox, intent_id)  # the notification also arrived, over HTTP, and was answered `success`
    assert note["last_answer"] == "200 success"
    from core.legacy.outbox_tables import OutboxEvent

    delivered = off_loop(
        lambda: harness.in_tenant("alpha", lambda: OutboxEvent.select().where(OutboxEvent.kind == "alishop.delivered"))
    )
    payloads = [e["payload"] if isinstance(e["payload"], dict) else json.loads(e["payload"]) for e in delivered]
    assert [p["intent_id"] for p in payloads] == [
        intent_id
    ]  # paid once although the return page and the notification both settled


def off_loop(fn):
    """Run ``fn`` on a worker thread: Playwright's sync API keeps an event loop running on this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


def _delivered(sandbox, intent_id: str) -> dict:
    for _ in range(300):
        notes = sandbox.store.notifications(APP_ID, intent_id)
        if notes and notes[0]["delivered_at"]:
            return notes[0]
        time.sleep(0.05)
    raise AssertionError(
        f"the sandbox's notification was not accepted: {sandbox.store.notifications(APP_ID, intent_id)}"
    )
