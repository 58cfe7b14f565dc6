"""Call records: the month on the started_at index, filters, sorting, paging, masking, field errors, the access trail."""

from __future__ import annotations

import re

import pytest
from bills_support import build, customer_client

from core.api.testing import field_errors
from plugins.bills.calls import mask
from plugins.bills.tables import CallAccess


def called_numbers(html: str) -> list[str]:
    return re.findall(r'<td class="mono called">([^<]*)</td>', html)


def times(html: str) -> list[str]:
    return re.findall(r"<tr><td class=\"mono\">(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)</td>", html)


def test_mask():
    assert mask("13912345678") == "139****5678"
    assert mask("02112345678") == "021****5678"
    assert mask("10086") == "10086" and mask("") == ""


def test_a_month_of_calls_with_its_boundaries_masked_by_default(world):
    harness, ids = world
    number = ids["alpha"]["numbers"][0]
    client = customer_client(harness, ids)
    r = client.get(f"/bills/{number}/calls", params={"month": "2024-05"})
    assert r.status_code == 200, r.text
    # 30 seeded calls + the first and last second of May (local time); 2024-06-01 00:00 local is not in May
    assert "32 条记录" in r.text or "32 records" in r.text
    shown = called_numbers(r.text)
    assert len(shown) == 32 and "021****5678" in shown and "021****4321" in shown
    assert not any(re.fullmatch(r"\d{11}", n) for n in shown), "numbers are masked by default"
    assert (
        times(r.text)[0] == "2024-05-01 00:00:00" and times(r.text)[-1] == "2024-05-31 23:59:59"
    )  # sorted by time, ascending


def test_default_month_is_the_latest_bill(world):
    harness, ids = world
    number = ids["alpha"]["numbers"][1]
    r = customer_client(harness, ids).get(f"/bills/{number}/calls")
    assert r.status_code == 200 and "2024-05" in r.text and len(called_numbers(r.text)) == 32


def test_filters_by_type_called_number_and_dates(world):
    harness, ids = world
    number = ids["alpha"]["numbers"][0]
    client = customer_client(harness, ids)
    sms = client.get(f"/bills/{number}/calls", params={"month": "2024-05", "type": "sms"})
    assert sms.status_code == 200 and len(called_numbers(sms.text)) == 6  # i % 5 == 3 for 30 calls
    one = client.get(f"/bills/{number}/calls", params={"month": "2024-05", "called": "00130007"})
    assert called_numbers(one.text) == ["138****0007"]
    days = client.get(f"/bills/{number}/calls", params={"month": "2024-05", "from": "2024-05-01", "to": "2024-05-02"})
    assert (
        all(t.startswith(("2024-05-01", "2024-05-02")) for t in times(days.text)) and len(times(days.text)) == 1 + 4
    )  # i = 0, 28 on the 1st, 1, 29 on the 2nd


def test_sorting_and_paging(hall_factory):
    harness, ids = build(hall_factory, calls_per_page=10)
    number = ids["alpha"]["numbers"][0]
    client = customer_client(harness, ids)
    by_charge = client.get(f"/bills/{number}/calls", params={"month": "2024-05", "sort": "charge", "order": "desc"})
    charges = [int(c.replace(".", "")) for c in re.findall(r'<td class="mono">(\d+\.\d\d)</td></tr>', by_charge.text)]
    assert len(charges) == 10 and charges == sorted(charges, reverse=True)
    pages = [client.get(f"/bills/{number}/calls", params={"month": "2024-05", "page": p}) for p in (1, 2, 3, 4)]
    seen = [t for p in pages for t in times(p.text)]
    assert len(seen) == 32 and seen == sorted(seen)
    assert 'rel="next"' in pages[0].text and 'rel="next"' not in pages[3].text
    beyond = client.get(f"/bills/{number}/calls", params={"month": "2024-05", "page": 99})
    assert beyond.status_code == 200 and times(beyond.text) == times(pages[3].text)  # the last page


def test_unmasked_when_the_tenant_says_so(hall_factory):
    harness, ids = build(hall_factory, mask_called_numbers=False)
    number = ids["alpha"]["numbers"][0]
    r = customer_client(harness, ids).get(f"/bills/{number}/calls", params={"month": "2024-05"})
    assert "13800130001" in called_numbers(r.text) and "02112345678" in called_numbers(r.text)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "premium"}, "type"),
        ({"called": "12ab"}, "called"),
        ({"called": "1" * 21}, "called"),
        ({"from": "2024-5-1"}, "from"),
        ({"from": "2024-02-30"}, "from"),
        ({"from": "2024-04-30"}, "from"),
        ({"to": "2024-05-02", "from": "2024-05-03"}, "to"),
        ({"sort": "called_number"}, "sort"),
        ({"order": "sideways"}, "sort"),
        ({"page": "-1"}, "page"),
        ({"page": "x"}, "page"),
        ({"page": "²"}, "page"),  # passes str.isdigit(), fails int(): was a 500
        ({"page": "9" * 23}, "page"),
    ],
)
def test_malformed_filters_are_field_errors(world, params, field):
    harness, ids = world
    number = ids["alpha"]["numbers"][0]
    r = customer_client(harness, ids).get(f"/bills/{number}/calls", params={"month": "2024-05", **params})
    assert r.status_code == 400
    assert f'id="{field}-error"' in r.text and field_errors(r.text)
    assert called_numbers(r.text) == []
    assert harness.in_tenant("alpha", CallAccess.count) == 0  # nothing shown, nothing recorded


def test_every_view_is_in_the_customers_access_log(world):
    harness, ids = world
    number = ids["alpha"]["numbers"][0]
    client = customer_client(harness, ids)
    client.get(f"/bills/{number}/calls", params={"month": "2024-05", "type": "local", "called": "0013"})
    client.get(f"/bills/{number}/calls", params={"month": "2024-04"})
    rows = harness.in_tenant("alpha", lambda: CallAccess.select().order_by(CallAccess.id))
    assert [(r["number"], r["month"], r["kind"], r["account"]) for r in rows] == [
        (number, "2024-05", "view", ids["alpha"]["account"]),
        (number, "2024-04", "view", ids["alpha"]["account"]),
    ]
    assert rows[0]["filters"] in (
        {"type": "local", "called": "0013", "sort": "time", "order": "asc"},
        '{"type": "local", "called": "0013", "sort": "time", "order": "asc"}',
    )
    assert rows[0]["address"]
    log = client.get("/bills/access-log")
    assert log.status_code == 200 and log.text.count('<td class="mono">2024-0') == 2 and "called=0013" in log.text
