"""A real browser takes a complaint and a consultation round the whole loop on both demo tenants.

Per tenant: a customer files a complaint (billing, with its category routed to
the billing department), the tenant's operator resolves it with an outcome, the
customer sees the outcome and rates it, and the other tenant's operator cannot
see it. A visitor asks a question, the operator answers and publishes it
de-identified, and the visitor finds it in the public Q&A. Screenshots land in
test-artifacts/screenshots/<tenant>-service-<step>.png.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 900}
WAIT_MS = 10_000
PASSWORD = "Service-2026-ok"
OPS = "e2e-service"
OPS_PERMISSIONS = [
    "core.workorders.handle",
    "service.complaints.resolve",
    "service.faq",
    "service.stats",
    "service.content",
]
TENANTS = ("jiangnan", "haibin")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


async def _setup(config: Path, customers: dict) -> dict[str, str]:
    """Demo content and departments (the demo_data hook), a service operator in every department, one customer account."""
    from core.auth.admin import ensure_operator
    from core.auth.customers import create_account
    from core.auth.passwords import hash_password
    from core.auth.tables import Customer
    from core.cli.demo import seed_demo_data
    from core.hall import Hall
    from core.tenancy import tenant_scope
    from core.workorders.departments import add_member
    from core.workorders.tables import Department

    hall = Hall.from_config(config)
    await hall.db.connect()
    logins = {}
    try:
        for tenant in hall.tenants:
            ops = await ensure_operator(tenant, OPS, "Service desk", PASSWORD, "e2e-service", OPS_PERMISSIONS)
            await seed_demo_data(hall, tenant)
            with tenant_scope(tenant):
                for department in await Department.select(Department.id):
                    await add_member(department["id"], ops)
                demo = customers[tenant.id][0]
                row = await Customer.select().where(Customer.legacy_id == demo.legacy_id).first()
                await create_account(
                    customer=row,
                    number=demo.numbers[0],
                    password_hash=await hash_password(PASSWORD),
                    language=tenant.language,
                )
                logins[tenant.id] = demo.numbers[0]
        return logins
    finally:
        for connector in hall.connectors.values():
            try:
                await connector.close()
            except Exception:  # noqa: BLE001 - best effort
                pass
        await hall.db.disconnect()


@pytest.fixture(scope="module")
def service_hall(live_hall):
    """The live hall plus this module's data; written with a throw-away secret (nothing written here depends on it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    env["HALL_SECURITY__SECRET_KEY"] = "e2e-service-setup"
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            logins = pool.submit(asyncio.run, _setup(live_hall.config, live_hall.customers)).result()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return live_hall, logins


def _submit(page, selector: str, button: str = "button[type=submit]") -> int:
    with page.expect_navigation() as navigation:
        page.locator(f"{selector} {button}").first.click()
    response = navigation.value
    return response.status if response else 0


def _mail_body(sink, address: str, needle: str, timeout: float = 90.0) -> str:
    """The body of the first mail to ``address`` that contains ``needle`` (the outbox job sends once a minute)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sink.to(address):
            body = message.get_body(("plain",))
            text = body.get_content() if body else ""
            if needle in text:
                return text
        time.sleep(0.2)
    raise AssertionError(f"no mail to {address} containing {needle!r} within {timeout}s")


def _operator_page(browser, base: str):
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(f"{base}/console/login")
    page.fill("#f-username", OPS)
    page.fill("#f-password", PASSWORD)
    _submit(page, 'form[action$="/console/login"]')
    page.wait_for_url(re.compile(r"/console/?$"))
    return context, page


@pytest.mark.parametrize("tenant", TENANTS)
def test_complaint_round_trip_and_isolation(service_hall, chromium, shoot, tenant):
    hall, logins = service_hall
    base = hall.base(tenant)
    other = next(t for t in TENANTS if t != tenant)
    customer = chromium.new_context(viewport=DESKTOP)
    customer.set_default_timeout(WAIT_MS)
    try:
        page = customer.new_page()
        page.goto(f"{base}/login")
        page.fill("#f-login", logins[tenant])
        page.fill("#f-password", PASSWORD)
        _submit(page, 'form[action$="/login"]')
        page.goto(f"{base}/service/complain")
        page.select_option("#f-category", "billing")
        page.fill("#f-title", f"E2E bill {tenant}")
        page.fill("#f-text", "Charged twice for May <script>alert(1)</script>")
        shoot(page, tenant, "service-01-complaint-form")
        assert _submit(page, 'form[action$="/service/complain"]') == 200
        page.wait_for_url(re.compile(r"/account/requests/\d+$"))
        order_id = int(page.url.rsplit("/", 1)[1])
        number = page.locator("h1 .mono").inner_text()
        assert number.startswith("TS-")
        assert "<script>alert(1)</script>" in page.locator(".complaint-text").inner_text()  # shown as text, not run

        ops_context, ops = _operator_page(chromium, base)
        try:
            ops.goto(f"{base}/console/workorders")
            ops.locator("a", has_text=number).click()
            ops.wait_for_url(re.compile(rf"/console/workorders/{order_id}$"))
            ops.fill("#f-act-comment", "Refunded 30.00 yuan")
            assert _submit(ops, 'form[action$="/act"]', 'button[value="resolve"]') == 200
            shoot(ops, tenant, "service-02-console-resolved")
        finally:
            ops_context.close()

        page.goto(f"{base}/account/requests/{order_id}")
        assert "Refunded 30.00 yuan" in page.locator("main").inner_text()
        page.check('input[name="rating"][value="5"]')
        assert _submit(page, 'form[action$="/rate"]') == 200
        assert "5 / 5" in page.locator("main").inner_text()
        shoot(page, tenant, "service-03-customer-rated")
    finally:
        customer.close()

    stranger_context, stranger = _operator_page(chromium, hall.base(other))
    try:
        response = stranger.goto(f"{hall.base(other)}/console/workorders/{order_id}")
        assert response.status == 404
        stranger.goto(f"{hall.base(other)}/console/workorders?queue=all")
        assert (
            f"E2E bill {tenant}" not in stranger.locator("main").inner_text()
        )  # numbers repeat per tenant; titles do not
        stranger.goto(f"{base}/console/workorders/{order_id}")  # the other tenant's session does not log in here
        assert f"E2E bill {tenant}" not in stranger.content() and "/console/login" in stranger.url
    finally:
        stranger_context.close()


@pytest.mark.parametrize("tenant", TENANTS)
def test_consultation_round_trip(service_hall, chromium, shoot, tenant):
    hall, _ = service_hall
    base = hall.base(tenant)
    visitor = chromium.new_context(viewport=DESKTOP)
    visitor.set_default_timeout(WAIT_MS)
    try:
        page = visitor.new_page()
        page.goto(f"{base}/service/ask")
        page.fill("#f-title", f"Roaming {tenant}")
        page.fill("#f-text", "How do I switch on roaming for 13912345678?")
        page.fill("#f-contact_name", "Visitor")
        page.fill("#f-contact_email", f"visitor-{tenant}@example.com")
        assert _submit(page, 'form[action$="/service/ask"]') == 201
        number = re.search(r"ZX-\d{4}-\d{6}", page.locator("main").inner_text()).group(0)
        shoot(page, tenant, "service-04-asked")

        ops_context, ops = _operator_page(chromium, base)
        try:
            ops.goto(f"{base}/console/workorders")
            ops.locator("a", has_text=number).click()
            ops.fill("#f-act-comment", "Dial 10000 or visit an outlet with your ID card.")
            assert _submit(ops, 'form[action$="/act"]', 'button[value="answer"]') == 200
            ops.locator('a[href*="/service/console/faq/new/"]').click()
            question = ops.locator("#f-question").input_value()
            assert "13912345678" not in question and "139" in question  # de-identified
            ops.fill("#f-question", f"How do I switch on roaming ({tenant})?")
            assert _submit(ops, 'form[action*="/service/console/faq/new/"]') == 200
            shoot(ops, tenant, "service-05-faq-published")
        finally:
            ops_context.close()

        page.goto(f"{base}/service/faq?q=roaming")
        assert f"How do I switch on roaming ({tenant})?" in page.locator("main").inner_text()
        shoot(page, tenant, "service-06-faq-search")
        assert "10000" in _mail_body(
            hall.mail, f"visitor-{tenant}@example.com", "10000"
        )  # the visitor is told the answer
    finally:
        visitor.close()
