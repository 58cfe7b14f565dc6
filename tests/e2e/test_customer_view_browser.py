"""The console's customer view in Chromium on the zh_CN tenant: reached from the search, styled tables, no JSON, local times.

Screenshot: test-artifacts/screenshots/alpha-customer-view.png (desktop, 1280x900).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from browser_accounts import operator_log_in

sys.path.insert(0, str(Path(__file__).parents[1] / "plugins" / "billpay"))

from customer_view_support import build, customer_activity  # noqa: E402
from test_pay_alipay import off_loop  # noqa: E402

from core.testing.harness import PASSWORD  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


@pytest.fixture
def served(hall_factory):
    from core.web.app import create_app
    from plugins.alipay.sandbox.runner import ServerThread

    def make():
        world = build(hall_factory)
        customer_activity(world)
        close = world[0].close
        world[0].close = lambda: off_loop(close)
        return world

    world = off_loop(make)
    hall = ServerThread(create_app(world[0].hall)).start(probe="/healthz")
    try:
        yield world, hall.url
    finally:
        hall.stop()


def test_the_customer_view_from_the_search_in_chromium(served, chromium, shoot):
    (harness, _, ids), url = served
    base = f"{url}/t/alpha"
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        operator_log_in(page, base, "alpha-all", PASSWORD)
        page.goto(f"{base}/console/customers?q={ids['alpha']['numbers'][0]}")
        with page.expect_navigation():
            page.locator("table.data a", has_text=ids["alpha"]["customer"].legacy_id).click()
        assert page.locator("#customer-identity").count() == 1
        tables = page.locator("table.data")
        assert tables.count() >= 6 and page.locator(".table-wrap table.data").count() == tables.count()
        text = page.locator("main").inner_text() if page.locator("main").count() else page.locator("body").inner_text()
        assert "{" not in text and "UTC" not in text and "+00:00" not in text
        assert "已支付" in text and "最近账单" in text and "详单查询记录" in text and "业务请求与工单" in text
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", text)  # no ISO timestamps
        shoot(page, "alpha", "customer-view")
    finally:
        context.close()
