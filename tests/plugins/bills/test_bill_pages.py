"""The bill pages: latest month at /bills/, a month's items, the 12 months, comparison, chart data island, data as of."""

from __future__ import annotations

import json
import re

import datetime as dt

from bills_support import customer_client, month_list

from core.api.legacy import SyncState


def island(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="bills-data">(.*?)</script>', html, re.S).group(1))


def test_bills_home_shows_the_latest_bill_of_the_first_number(world):
    harness, ids = world
    client = customer_client(harness, ids)
    r = client.get("/bills/", follow_redirects=False)
    assert r.status_code == 200
    html = r.text
    assert ids["alpha"]["numbers"][0] in html and "2024-05" in html
    data = island(html)
    assert data["months"] == list(reversed(month_list(12))) and data["month"] == "2024-05"
    assert all(isinstance(v, int) for s in data["series"] for v in s["fen"])
    assert sum(s["fen"][-1] for s in data["series"]) == data["totals"][-1]
    assert 'id="bills-months"' in html and "bills/chart.umd.min.js" in html


async def synced_at(at: dt.datetime) -> None:
    await SyncState.insert(SyncState(kind="bills", last_run_at=at, last_success_at=at))


def text_of(html: str) -> str:
    """The page's visible text, tags dropped and white space folded, for reading sentences that span markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_months_bill_items_paid_owed_due_and_data_as_of(world):
    harness, ids = world
    number = ids["alpha"]["numbers"][1]  # the second linked number has its own page
    harness.in_tenant("alpha", synced_at, dt.datetime(2024, 6, 2, 3, 0, tzinfo=dt.timezone.utc))
    r = customer_client(harness, ids).get(f"/bills/{number}/2024-04")
    assert r.status_code == 200
    page = text_of(r.text)
    # 2024-04 (index 1): 5800 + 1207 + 2730 + 300 = 10037 fen, half paid, due 2024-05-15
    assert "¥100.37" in page and "¥50.18" in page and "¥50.19" in page and "2024-05-15" in page
    assert all(name in page for name in ("月租费", "市话费", "长途通话费", "短信费")) and "国际长途费" not in re.sub(
        r"<script.*?</script>", "", r.text, flags=re.S
    )
    assert "部分缴费" in page or "Partly paid" in page
    assert re.search(r'<p class="data-as-of[^"]*">[^<]*<time datetime="2024-06-02T', r.text)
    assert island(r.text)["month"] == "2024-04"


def test_the_comparison_explains_the_largest_changes_item_by_item(world):
    harness, ids = world
    number = ids["alpha"]["numbers"][0]
    r = customer_client(harness, ids).get(f"/bills/{number}/2024-05")
    changes = [text_of(li).strip() for li in re.findall(r'<li class="change-\w+">(.*?)</li>', r.text, re.S)]
    # largest first: 长途 +12.30 (+45%), 国际长途 new 9.90, 短信 gone 3.00, 市话 -0.07 (-1%)
    assert changes == [
        "长途通话费 增加了 ¥12.30（+45%）",
        "国际长途费 为本月新增：¥9.90",
        "短信费 本月未收取（上月 ¥3.00）",
        "市话费 减少了 ¥0.07（-1%）",
    ]
    # the total: 5800 + 1200 + 3960 + 990 = 11950 against 10037 in April
    assert "比 2024-04（¥100.37）多 ¥19.13。" in text_of(r.text)


def test_the_charts_data_breakdown_by_category_sums_to_each_months_total(world):
    harness, ids = world
    data = island(customer_client(harness, ids).get(f"/bills/{ids['alpha']['numbers'][0]}/2024-05").text)
    assert [s["code"] for s in data["series"]] == ["YZF", "SHF", "CTF", "DXF", "GJF"]
    for at, total in enumerate(data["totals"]):
        assert sum(s["fen"][at] for s in data["series"]) == total
    by_code = {s["code"]: s["fen"][-1] for s in data["series"]}
    assert by_code == {"YZF": 5800, "SHF": 1200, "CTF": 3960, "DXF": 0, "GJF": 990}
    assert 'id="bills-breakdown"' in customer_client(harness, ids).get("/bills/").text


def test_twelve_months_are_listed_and_the_oldest_has_no_comparison_beyond_the_data(hall_factory):
    from bills_support import build

    harness, ids = build(hall_factory, months_shown=3)
    client = customer_client(harness, ids)
    r = client.get(f"/bills/{ids['alpha']['numbers'][0]}/2024-03")
    assert r.status_code == 200 and island(r.text)["months"] == ["2024-03", "2024-04", "2024-05"]
    assert "2024-02" in text_of(r.text)  # compared with February although February is not listed
    assert client.get(f"/bills/{ids['alpha']['numbers'][0]}/2024-02").status_code == 400


def test_a_number_without_bills_shows_a_notice_not_an_error(world):
    from core.api.testing import make_customer, register_customer

    harness, _ids = world
    bare = make_customer(88, email="bills-bare@example.com")
    register_customer(harness, "alpha", bare)
    client = harness.client("alpha")
    client.login_customer(bare.numbers[0].number)
    r = client.get("/bills/")
    assert r.status_code == 200 and "该号码暂无账单。" in r.text


def test_the_pages_scripts_and_styles_are_served(world):
    """The chart needs Chart.js and bills.js at the URLs the page names (they were once 404: files one folder too deep)."""
    harness, ids = world
    client = customer_client(harness, ids)
    html = client.get("/bills/").text
    urls = re.findall(r'(?:src|href)="(/static/bills/[^"]+)"', html)
    assert sorted(u.rsplit("/", 1)[1] for u in urls) == ["bills.css", "bills.js", "chart.umd.min.js"]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200 and len(r.content) > 100, url
    assert "window.Chart=" in client.get("/static/bills/chart.umd.min.js").text
