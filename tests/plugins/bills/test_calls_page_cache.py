"""The page cache on the call records: a hit still passes the step-up check and is written to the access trail.

Call records are privacy data: every view, stored or rendered, must leave its row in the customer's
access trail, and a session whose step-up code expired must be asked again. New records (a sync)
show at once.
"""

from __future__ import annotations

import datetime as dt

from bills_support import ZONE, build, customer_client
from test_exports_and_step_up import flow_of, sms_code

from core.api.testing import measure_requests
from core.db import page_versions
from plugins.bills.tables import CallAccess, StepUp

MONTH = "2024-05"


def calls_path(ids, tid="alpha") -> str:
    return f"/bills/{ids[tid]['numbers'][0]}/calls"


def cache_state(response) -> str:
    return response.headers.get("x-hall-cache", "")


def besides_the_version(cost) -> list[str]:
    """The statements of a request other than the page version's read (through the query path where there is no
    raw driver, as on PostgreSQL in the tests; test_page_cache.py counts that read)."""
    return [sql for sql in cost.sql if "core_page_version" not in sql]


def trail(harness, tid="alpha") -> list[dict]:
    return harness.in_tenant(
        tid,
        lambda: CallAccess.select(
            CallAccess.account,
            CallAccess.actor,
            CallAccess.number,
            CallAccess.month,
            CallAccess.kind,
            CallAccess.filters,
            CallAccess.address,
        ).order_by(CallAccess.id),
    )


def test_a_hit_is_written_to_the_access_trail_like_the_rendered_view(world):
    harness, ids = world
    client = customer_client(harness, ids)
    query = {"month": MONTH, "type": "local", "sort": "charge", "order": "desc"}
    first = client.get(calls_path(ids), params=query)
    assert first.status_code == 200 and cache_state(first) == "miss"
    reads = page_versions.reads[0]
    with measure_requests(harness.hall) as cost:
        second = client.get(calls_path(ids), params=query)
    assert second.status_code == 200 and cache_state(second) == "hit"
    assert len(besides_the_version(cost)) == 1 and cost.hook_calls == 0, cost.report()  # the trail's insert, no render
    assert page_versions.reads[0] - reads == 1
    rows = trail(harness)
    assert len(rows) == 2 and rows[0] == rows[1], rows  # the same row: account, actor, number, month, filters, address
    assert rows[1]["account"] == ids["alpha"]["account"] and rows[1]["kind"] == "view" and rows[1]["month"] == MONTH
    assert rows[1]["actor"] and rows[1]["address"]
    filters = rows[1]["filters"]
    filters = filters if isinstance(filters, dict) else __import__("json").loads(filters)
    assert filters.get("type") == "local" and filters.get("order") == "desc", filters


def test_every_hit_adds_its_own_row(world):
    harness, ids = world
    client = customer_client(harness, ids)
    states = [cache_state(client.get(calls_path(ids))) for _ in range(4)]
    assert states == ["miss", "hit", "hit", "hit"]
    assert len(trail(harness)) == 4


def test_a_bad_filter_is_not_stored(world):
    harness, ids = world
    client = customer_client(harness, ids)
    for _ in range(2):
        answer = client.get(calls_path(ids), params={"month": "1999-01"})
        assert answer.status_code == 400 and cache_state(answer) in ("", "miss")


def test_new_call_records_from_a_sync_show_at_once(world):
    from core.legacy.billing_sync import upsert_calls
    from core.legacy.ports import LegacyCallRecord
    from core.legacy.sync_engine import sync_kind
    from core.tenancy import current_tenant

    harness, ids = world
    number = ids["alpha"]["numbers"][0]
    client = customer_client(harness, ids)
    client.get(calls_path(ids), params={"month": MONTH})
    assert cache_state(client.get(calls_path(ids), params={"month": MONTH})) == "hit"
    record = LegacyCallRecord(
        f"new-{number}", number, dt.datetime(2024, 5, 2, 9, 0, tzinfo=ZONE), 77, "13800000042", "local", 4321
    )

    async def land():
        async def source(watermark: str, limit: int):
            return ([record], "w1") if watermark < "w1" else ([], watermark)

        await sync_kind(current_tenant(), source, upsert_calls, "calls")

    harness.in_tenant("alpha", land)
    fresh = client.get(calls_path(ids), params={"month": MONTH, "sort": "charge", "order": "desc"})
    assert fresh.status_code == 200 and "43.21" in fresh.text


def step_up(harness, client, target: str):
    """The customer asks for a step-up code by SMS and enters it: the verification's response."""
    sent = client.post("/bills/step-up/send", {"channel": "sms", "next": target})
    code = sms_code(harness, "13900000001")
    return client.post("/bills/step-up/verify", {"flow": flow_of(sent.text), "code": code, "next": target})


def test_a_hit_needs_a_step_up_that_is_still_fresh(hall_factory):
    harness, ids = build(hall_factory, calls_step_up=True)
    number = ids["alpha"]["numbers"][0]
    client = customer_client(harness, ids)
    target = f"/bills/{number}/calls?month={MONTH}"
    assert step_up(harness, client, target).status_code == 303
    assert cache_state(client.get(target)) == "miss"
    with measure_requests(harness.hall) as cost:
        hit = client.get(target)
    assert hit.status_code == 200 and cache_state(hit) == "hit"
    assert len(besides_the_version(cost)) == 2 and cost.hook_calls == 0, cost.report()  # the step-up check, the insert
    assert len(trail(harness)) == 2
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)  # the code's minutes are over
    harness.in_tenant("alpha", lambda: StepUp.update({StepUp.verified_at: past}, force=True))
    again = client.get(target, follow_redirects=False)
    assert again.status_code == 303 and "/bills/step-up?next=" in again.headers["location"]
    assert cache_state(again) != "hit"  # the normal path's redirect (a "miss": it could have been stored, was not)
    assert len(trail(harness)) == 2  # refused: no view written


def test_another_session_of_the_same_customer_is_asked_for_its_own_step_up(hall_factory):
    harness, ids = build(hall_factory, calls_step_up=True)
    number = ids["alpha"]["numbers"][0]
    client = customer_client(harness, ids)
    target = f"/bills/{number}/calls?month={MONTH}"
    step_up(harness, client, target)
    client.get(target)
    assert cache_state(client.get(target)) == "hit"
    other = customer_client(harness, ids)  # a new session: other cookies, so another key, and no step-up yet
    assert other.get(target, follow_redirects=False).status_code == 303


def test_concurrent_views_share_one_insert_and_each_row_is_written(world):
    import asyncio

    from plugins.bills import calls
    from plugins.bills.trail import TrailWriter

    harness, ids = world
    number = ids["alpha"]["numbers"][0]
    filters = calls.Filters(month=MONTH, data={})

    async def six_views():
        writer = TrailWriter()
        rows = [
            calls.access_row(ids["alpha"]["account"], f"v{i}", number, filters, "view", "10.0.0.1") for i in range(6)
        ]
        await asyncio.gather(*(writer.write(row) for row in rows))
        return writer.inserts

    inserts = harness.in_tenant("alpha", six_views)
    assert 1 <= inserts <= 2  # the first view's insert, then one for the five that queued behind it
    assert sorted(r["actor"] for r in trail(harness)) == [f"v{i}" for i in range(6)]


def test_a_hit_whose_trail_row_cannot_be_written_takes_the_normal_path(world, monkeypatch):
    from plugins.bills import trail as trail_module

    class Broken:
        @staticmethod
        async def insert(*rows):
            raise RuntimeError("the database refused the row")

    harness, ids = world
    client = customer_client(harness, ids)
    assert cache_state(client.get(calls_path(ids))) == "miss"
    monkeypatch.setattr(trail_module, "CallAccess", Broken)
    answer = client.get(calls_path(ids))
    assert answer.status_code == 200 and cache_state(answer) != "hit"  # rendered, its row written the normal way
    assert len(trail(harness)) == 2
