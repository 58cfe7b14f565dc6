"""The bill pages: latest month at /bills/, a month's items, the 12 months, comparison, chart data island, data as of."""

from __future__ import annotations

import json
import re

from bills_support import customer_client, month_list


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
