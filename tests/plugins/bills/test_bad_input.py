"""Bad input on every bills page: out-of-range or malformed months, others' numbers, odd paths. A clear 4xx, never a 500,
never another customer's (or tenant's) data, and nothing written to the access trail."""

from __future__ import annotations

import datetime as dt

import pytest
from bills_support import ZONE, customer_client

from core.api.legacy import CallRecord
from core.api.testing import make_customer, register_customer
from plugins.bills.tables import CallAccess

KINDS = ("calls", "calls.csv", "calls.pdf")


@pytest.mark.parametrize(
    ("month", "says"),
    [
        ("2024-13", "不是有效的月份"),
        ("24-05", "不是有效的月份"),
        ("2024-5", "不是有效的月份"),
        ("2099-01", "尚未到来"),
        ("2023-05", "不在可查询的月份范围内（2023-06 至 2024-05）"),
        ("2024-06", "不在可查询的月份范围内"),  # after the latest bill, not yet in the future
    ],
)
def test_months_out_of_range_or_malformed(world, month, says):
    harness, ids = world
    number = ids["alpha"]["numbers"][0]
    client = customer_client(harness, ids)
    bill = client.get(f"/bills/{number}/{month}")
    assert bill.status_code == 400 and says in bill.text and 'role="alert"' in bill.text
    for kind in KINDS:
        r = client.get(f"/bills/{number}/{kind}", params={"month": month})
        assert r.status_code == 400 and says in r.text, kind
        assert r.headers["content-type"].startswith("text/html")
    assert harness.in_tenant("alpha", CallAccess.count) == 0


def test_a_month_in_the_query_is_escaped_in_the_message(world):
    harness, ids = world
    r = customer_client(harness, ids).get(f"/bills/{ids['alpha']['numbers'][0]}/calls", params={"month": "<b>x</b>"})
    assert r.status_code == 400 and "<b>x</b>" not in r.text and "&lt;b&gt;x&lt;/b&gt;" in r.text


def other_customer(harness) -> str:
    """Someone else in alpha, with bills and calls of their own."""
    from bills_support import seed_number

    other = make_customer(89, email="bills-other@example.com", numbers=("13912300000",))
    register_customer(harness, "alpha", other)
    harness.in_tenant("alpha", seed_number, "13912300000", "other")
    return "13912300000"


def test_another_customers_number_is_404_on_every_page(world):
    harness, ids = world
    theirs = other_customer(harness)
    beta_number = ids["beta"]["numbers"][0]  # a customer of another tenant
    client = customer_client(harness, ids)
    for number in (theirs, beta_number):
        assert client.get(f"/bills/{number}/2024-05").status_code == 404
        for kind in KINDS:
            r = client.get(f"/bills/{number}/{kind}", params={"month": "2024-05"})
            # the path's number is echoed in the language switcher's "next", but no record is on the page
            assert r.status_code == 404 and 'class="mono called"' not in r.text and "138****" not in r.text, (
                number,
                kind,
            )
    assert harness.in_tenant("alpha", CallAccess.count) == 0


@pytest.mark.parametrize(
    "path",
    [
        "/bills/abc/2024-05",
        "/bills/1390000000/2024-05",
        "/bills/%2e%2e/calls",
        "/bills/13900000001%27%20or%201=1/calls",
        "/bills/13900000001/2024-05/extra",
        "/bills/" + "9" * 40 + "/calls",
    ],
)
def test_malformed_paths_are_404(world, path):
    harness, ids = world
    r = customer_client(harness, ids).get(path)
    assert r.status_code == 404


def test_logged_out_visitors_are_sent_to_log_in(world):
    harness, ids = world
    client = harness.client("alpha")
    for path in (
        "/bills/",
        f"/bills/{ids['alpha']['numbers'][0]}/calls",
        f"/bills/{ids['alpha']['numbers'][0]}/calls.csv",
        "/bills/access-log",
    ):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and "/login" in r.headers["location"]


def test_the_same_number_in_another_tenant_never_shows_here(world):
    """beta's legacy system has call records for alpha's customer's number: alpha's page shows only alpha's."""
    harness, ids = world
    number = ids["alpha"]["numbers"][0]

    async def foreign():
        await CallRecord.insert(
            CallRecord(
                legacy_id="beta-foreign",
                number=number,
                called_number="99999999999",
                started_at=dt.datetime(2024, 5, 10, 12, tzinfo=ZONE),
                duration_s=5,
                call_type="local",
                charge_fen=5,
            )
        )

    harness.in_tenant("beta", foreign)
    client = customer_client(harness, ids)
    page = client.get(f"/bills/{number}/calls", params={"month": "2024-05"})
    csv = client.get(f"/bills/{number}/calls.csv", params={"month": "2024-05"})
    assert page.status_code == 200 and csv.status_code == 200
    assert "999****9999" not in page.text and "999****9999" not in csv.text and "32 条记录" in page.text


def test_access_log_pages_are_the_customers_own(world):
    harness, ids = world
    mine = customer_client(harness, ids)
    mine.get(f"/bills/{ids['alpha']['numbers'][0]}/calls")
    theirs = other_customer(harness)
    other = harness.client("alpha")
    other.login_customer(theirs)
    assert ids["alpha"]["numbers"][0] not in other.get("/bills/access-log").text
    assert ids["alpha"]["numbers"][0] in mine.get("/bills/access-log").text
    for page in ("0", "-3", "abc", "99999999999", "²", "9" * 23):  # not a page: a 400 that says so (was a 500 for "²")
        r = mine.get("/bills/access-log", params={"page": page})
        assert r.status_code == 400 and "“page”应为 1 到 100000 之间的整数。" in r.text, page
    assert mine.get("/bills/access-log", params={"page": "2"}).status_code == 200
