"""A real browser opens a demo customer's bills: the Chart.js charts render, call records filter, CSV and PDF download.

Per demo tenant: a demo customer's account and 14 months of bills with items
and three months of call records for their number (the rows the billing sync
would write, as tests/plugins/bills seeds them), then Debian's Chromium logs in,
opens /bills/, checks that both charts exist as Chart.js instances on canvases
of non-zero size, opens the month's call records, filters them by type and by
number called, and downloads the CSV and the PDF. Screenshots land in
test-artifacts/screenshots/<tenant>-bills-<step>.png.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from browser_accounts import demo_accounts, log_in

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WAIT_MS = 15_000
PASSWORD = "Bills-2026-ok"
TENANTS = ("jiangnan", "haibin")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium"
    ),
]


@pytest.fixture(scope="module")
def bills_hall(live_hall):
    return live_hall, demo_accounts(live_hall, index=0, password=PASSWORD, seed_label="e2e")


REPO = Path(__file__).resolve().parents[2]


def _chart(page, canvas_id: str) -> dict:
    """The Chart.js instance on a canvas (its type and data) and the canvas's drawn size."""
    return page.evaluate(
        """(id) => {
        const canvas = document.getElementById(id);
        const chart = window.Chart && Chart.getChart(canvas);
        return {exists: !!chart, type: chart ? chart.config.type : null, datasets: chart ? chart.data.datasets.length : 0,
                labels: chart ? chart.data.labels.length : 0, width: canvas.width, height: canvas.height};
    }""",
        canvas_id,
    )


def _rows(page) -> list[list[str]]:
    return [
        [c.strip() for c in row.locator("td").all_inner_texts()] for row in page.locator("table.calls tbody tr").all()
    ]


def _download(page, selector: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


@pytest.mark.parametrize("tenant", TENANTS)
def test_bills_chart_and_call_records(bills_hall, chromium, shoot, tenant):
    hall, logins = bills_hall
    base = hall.base(tenant)
    number = logins[tenant]
    context = chromium.new_context(viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, base, number, PASSWORD)

        response = page.goto(f"{base}/bills/")
        assert response.status == 200
        page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('bills-months'))")
        months = _chart(page, "bills-months")
        assert months["exists"] and months["type"] == "bar" and months["labels"] == 12 and months["datasets"] >= 4
        assert months["width"] > 0 and months["height"] > 0
        first_colour = page.evaluate(
            "() => Chart.getChart(document.getElementById('bills-months')).data.datasets[0].backgroundColor"
        )
        brand = tomllib.loads((REPO / "tenants" / tenant / "tenant.toml").read_text(encoding="utf-8"))["brand"][
            "primary_colour"
        ]
        assert first_colour.lower() == brand.lower()  # the tenant's own colours, not one palette for every tenant
        breakdown = _chart(page, "bills-breakdown")
        assert (
            breakdown["exists"]
            and breakdown["type"] == "doughnut"
            and breakdown["width"] > 0
            and breakdown["height"] > 0
        )
        assert "2024-05" in page.locator("#bill h2").inner_text()
        assert page.locator("ul.changes li").count() == 4  # the comparison explains each changed item
        shoot(page, tenant, "bills-01-bill")

        with page.expect_navigation():
            page.locator(f'a[href*="/bills/{number}/calls"]').first.click()
        assert len(_rows(page)) == 32
        page.select_option("#f-type", "sms")
        with page.expect_navigation():
            page.click("#apply-filters")
        assert "type=sms" in page.url
        sms_label = page.locator("#f-type option[value=sms]").inner_text().strip()
        rows = _rows(page)
        assert len(rows) == 6 and {r[2] for r in rows} == {sms_label}
        page.select_option("#f-type", "")
        page.fill("#f-called", "00130007")
        with page.expect_navigation():
            page.click("#apply-filters")
        rows = _rows(page)
        assert [r[1] for r in rows] == ["138****0007"]  # masked by default
        shoot(page, tenant, "bills-02-calls-filtered")

        page.fill("#f-called", "")
        page.select_option("#f-type", "local")
        with page.expect_navigation():
            page.click("#apply-filters")
        name, body = _download(page, "#export-csv")
        assert name == f"calls-{number}-2024-05.csv" and body.startswith(b"\xef\xbb\xbf")
        lines = body.decode("utf-8-sig").strip().splitlines()
        assert len(lines) == 1 + len(_rows(page)) == 1 + 8  # six local calls and the month's two boundary calls
        name, body = _download(page, "#export-pdf")
        assert name == f"calls-{number}-2024-05.pdf" and body.startswith(b"%PDF")

        page.goto(f"{base}/bills/access-log")
        assert (
            page.locator("table.access-log tbody tr").count() >= 6
        )  # 4 views + CSV + PDF, each in the customer's trail
        shoot(page, tenant, "bills-03-access-log")
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("tenant", TENANTS)
def test_call_records_on_a_phone_fold_the_filter_away(bills_hall, chromium, shoot, tenant):
    """Issue 15 item 19: on a phone the rows come first; the filter opens from its summary and stays open while in use."""
    hall, logins = bills_hall
    base, number = hall.base(tenant), logins[tenant]
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        log_in(page, base, number, PASSWORD)
        page.goto(f"{base}/bills/{number}/calls?month=2024-05")
        box = page.locator("#calls-filter-box")
        assert box.evaluate("b => b.open") is False and page.locator("#f-type").is_visible() is False
        assert page.locator("#calls-filter-box > summary").is_visible()
        assert page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth"
        )  # nothing scrolls sideways
        shoot(page, tenant, "bills-04-calls-phone-folded")
        page.locator("#calls-filter-box > summary").click()
        page.select_option("#f-type", "sms")
        with page.expect_navigation():
            page.click("#apply-filters")
        assert box.evaluate("b => b.open") is True and len(_rows(page)) == 6  # a filter in use stays in sight
        shoot(page, tenant, "bills-05-calls-phone-filtered")
    finally:
        context.close()

    desk = chromium.new_context(viewport=DESKTOP)
    try:
        page = desk.new_page()
        log_in(page, base, number, PASSWORD)
        page.goto(f"{base}/bills/{number}/calls?month=2024-05")
        assert page.locator("#f-type").is_visible() and not page.locator("#calls-filter-box > summary").is_visible()
    finally:
        desk.close()


def test_another_customers_number_is_not_found(bills_hall, chromium):
    hall, logins = bills_hall
    base = hall.base("jiangnan")
    context = chromium.new_context(viewport=DESKTOP)
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        log_in(page, base, logins["jiangnan"], PASSWORD)
        other = hall.customers["jiangnan"][1].numbers[0]
        assert page.goto(f"{base}/bills/{other}/calls").status == 404
        assert page.goto(f"{base}/bills/{logins['jiangnan']}/2031-01").status == 400
        assert re.search(r"2031-01", page.locator("main").inner_text())
    finally:
        context.close()
