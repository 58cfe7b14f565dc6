"""kill -9 while the hub queues CustomerBillCreateEvent, then resume: every new bill told exactly once (the watermark is
committed with the events it queued), on the test hall's database (SQLite, or PostgreSQL with HALL_TEST_DB=postgres)."""

from __future__ import annotations

import json
from pathlib import Path

from test_kill_resume import config_of, legacy_hall

from core.legacy.billing_sync import sync_billing
from core.legacy.billing_tables import Bill
from core.testing.crash import child_env, kill_and_resume, python
from core.tmf import bill_events, hub
from core.tmf.tables import ApiClient, ApiDelivery, ApiWatermark

DRIVER = str(Path(__file__).with_name("hub_crash_driver.py"))


async def _listen() -> None:
    client = await ApiClient.insert(ApiClient(client_id="hc_bank", name="bank", kind="partner"))
    await hub.add_listener(client[0]["id"], "https://bank.example.com/ev", "eventType=CustomerBillCreateEvent")


def test_queueing_killed_at_random_moments_tells_each_bill_once(hall_factory, tmp_path):
    h, _ = legacy_hall(hall_factory, tmp_path, "haibin")
    h.in_tenant("haibin", _listen)
    assert h.in_tenant("haibin", bill_events.queue_new_bills, h.hall, "haibin") == 0  # watching from here
    tenant = h.tenant("haibin")
    h.in_tenant("haibin", sync_billing, tenant, h.hall.connector(tenant), "bills")
    run = kill_and_resume(
        python(DRIVER, "haibin", "4"), env=child_env(HALL_CONFIG=config_of(h)), seed=5, kills=4, after=(1, 6)
    )
    assert run.kills >= 2, [(r.killed, r.steps, r.returncode) for r in run.rounds]
    told = h.in_tenant(
        "haibin", lambda: ApiDelivery.select(ApiDelivery.payload).where(ApiDelivery.kind == "CustomerBillCreateEvent")
    )
    ids = [_json(r["payload"])["event"]["customerBill"]["id"] for r in told]
    bills = h.in_tenant("haibin", lambda: Bill.select(Bill.id, Bill.legacy_id))
    assert sorted(ids) == sorted(b["legacy_id"] for b in bills)  # each bill once, none missed
    mark = h.in_tenant("haibin", lambda: ApiWatermark.select().where(ApiWatermark.kind == "bills").first())
    assert mark["last_id"] == max(b["id"] for b in bills)


def _json(value) -> dict:
    return value if isinstance(value, dict) else json.loads(value)
