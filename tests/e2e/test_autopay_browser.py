"""A demo customer of jiangnan signs automatic payment (代扣) for their account in the local Alipay sandbox, in a
real browser on a desktop and on a 390 px phone, comes back to the hall and sees the agreement active once the
sandbox's signed notification reached the hall over HTTP; then cancels it on the phone.

The hall is the demo (``hall serve``) with jiangnan's Alipay gateway pointed at a sandbox on a free port.
Screenshots: test-artifacts/screenshots/jiangnan-autopay-<step>-<device>.png.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" / "alipay"))

from alipay_support import key_pairs, write_sandbox_config  # noqa: E402
from browser_accounts import demo_accounts, log_in  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
DEVICES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
WAIT_MS = 15_000
PASSWORD = "Autopay-2026-ok"
TENANT = "jiangnan"
APPS = {"jiangnan": ("2021000000000001", "2088000000000001"), "haibin": ("2021000000000002", "2088000000000002")}

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
        tmp_path_factory.mktemp("autopay-sandbox"), apps={app: (seller, public) for app, seller in APPS.values()}
    )
    running = SandboxThread(load_config(config)).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def live_hall_setup(sandbox):
    """The demo tenants pay at the local sandbox, with the test key pairs in the hall's secrets file."""
    keys = key_pairs()

    def setup(root: Path, tenant_id: str, data: dict) -> None:
        data["plugins"]["alipay"]["gateway"] = sandbox.gateway
        with (root / ".secrets.toml").open("a", encoding="utf-8") as secrets:
            secrets.write(
                f"[alipay.{tenant_id}]\napp_private_key = '''\n{keys.merchant_private}'''\n"
                f"alipay_public_key = '''\n{keys.sandbox_public}'''\n\n"
            )

    return setup


def _no_overflow(page, width: int) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= width, f"the page is {wide} px wide on a {width} px screen: it scrolls sideways"


def _until_active(page, sandbox, account) -> None:
    """Reload until the sandbox's notification, delivered to the hall, made the agreement active (it goes at once)."""
    for _ in range(100):
        if account.get_attribute("data-state") == "active":
            return
        page.wait_for_timeout(100)
        page.reload()
    raise AssertionError(f"never active: {[n['last_answer'] for n in sandbox.store.latest()]}")


def test_a_customer_signs_automatic_payment_in_the_sandbox_and_sees_it_active(live_hall, sandbox, chromium, shoot):
    logins = {
        device: demo_accounts(live_hall, index=i, password=PASSWORD, seed_label=f"e2e-ap-{device}", months=1)[TENANT]
        for device, i in (("desktop", 2), ("phone", 4))
    }
    base = live_hall.base(TENANT)
    errors: list[str] = []
    for device, viewport in DEVICES.items():
        context = chromium.new_context(viewport=viewport, locale="zh-CN")
        context.set_default_timeout(WAIT_MS)
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            log_in(page, base, logins[device], PASSWORD)
            page.goto(f"{base}/account/autopay")
            section = page.locator("section.autopay-account").first
            account = section.get_attribute("data-account")
            assert "自动扣款" in page.locator("h1").inner_text()
            _no_overflow(page, viewport["width"])
            shoot(page, TENANT, f"autopay-list-{device}")
            with page.expect_navigation(url=re.compile(re.escape(sandbox.gateway))):
                section.locator('form.autopay-sign button[value="alipay"]').click()
            assert "签约支付宝代扣" in page.content()
            shoot(page, TENANT, f"autopay-sandbox-{device}")
            with page.expect_navigation(url=re.compile(rf"/t/{TENANT}/account/autopay")):
                page.locator("button.pay").click()  # 同意并签约
            state = page.locator(f'section.autopay-account[data-account="{account}"] .autopay-state')
            _until_active(page, sandbox, state)
            assert "已签约" in state.inner_text()
            _no_overflow(page, viewport["width"])
            shoot(page, TENANT, f"autopay-active-{device}")
            if device == "phone":
                with page.expect_navigation():
                    page.locator(f'section.autopay-account[data-account="{account}"] button.autopay-cancel').click()
                assert page.locator(f'section.autopay-account[data-account="{account}"] form.autopay-sign').count() == 1
                shoot(page, TENANT, f"autopay-cancelled-{device}")
        finally:
            context.close()
    assert not errors, errors
