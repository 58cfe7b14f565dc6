"""CustomerBillCreateEvent: bills synced from the demo legacy system reach a partner's listener (a real HTTP server on
127.0.0.1), one signed event per new bill; a re-synced, changed bill tells nothing; a second run tells nothing more."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from core.legacy.billing_sync import sync_billing
from core.legacy.billing_tables import Bill
from core.tenancy import tenant_scope
from core.tmf import bill_events, hub
from core.tmf.tables import ApiClient, ApiDelivery, ApiWatermark

pytestmark = pytest.mark.usefixtures("hall_db")
HALL = SimpleNamespace(secret="s" * 40)


class Listener:
    """A partner's endpoint: records each POST's body and headers, answers 200."""

    def __init__(self):
        self.received: list[tuple[bytes, dict]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((body, dict(self.headers)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bills(self, key: str) -> list[str]:
        """The bill ids received, each signature checked with the listener's signing key."""
        ids = []
        for body, headers in self.received:
            assert headers["X-Hall-Signature"] == "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
            event = json.loads(body)
            assert event["eventType"] == "CustomerBillCreateEvent" == headers["X-Hall-Event"]
            bill = event["event"]["customerBill"]
            assert bill["@type"] == "CustomerBill" and bill["href"].endswith(f"/customerBill/{bill['id']}")
            assert bill["amountDue"]["unit"] == "CNY" and bill["state"] in {"sent", "partiallyPaid", "settled"}
            ids.append(bill["id"])
        return ids


async def _listener(tenant, url: str, query: str = "eventType=CustomerBillCreateEvent") -> str:
    with tenant_scope(tenant):
        client = await ApiClient.insert(ApiClient(client_id="hc_bank", name="bank", kind="partner"))
        row = await hub.add_listener(client[0]["id"], url, query)
    return hub.signing_key(HALL.secret, tenant.id, row["id"])


async def _run(tenant) -> tuple[int, dict]:
    with tenant_scope(tenant):
        told = await bill_events.queue_new_bills(HALL, tenant.id, limit=7)  # several batches
        return told, await hub.deliver_due(HALL, tenant.id, limit=1000)


async def test_each_new_bill_is_told_once_and_a_changed_one_never(make_billing):
    legacy = make_billing("haibin")
    listener = Listener()
    try:
        key = await _listener(legacy.tenant, listener.url)
        assert (await _run(legacy.tenant))[0] == 0  # the hub starts watching: nothing yet
        held = [r[0] for r in legacy.sql("SELECT BILL_ID FROM ACC_BILL ORDER BY BILL_ID DESC LIMIT 3")]
        legacy.sql("CREATE TABLE HELD AS SELECT * FROM ACC_BILL WHERE BILL_ID IN (?, ?, ?)", *held)
        legacy.sql("DELETE FROM ACC_BILL WHERE BILL_ID IN (?, ?, ?)", *held)
        first = await sync_billing(legacy.tenant, legacy.connector, "bills")
        told, sent = await _run(legacy.tenant)
        assert told == first.fetched == sent["delivered"] > 3
        with tenant_scope(legacy.tenant):
            synced = {r["legacy_id"] for r in await Bill.select(Bill.legacy_id)}
        assert sorted(listener.bills(key)) == sorted(synced)

        listener.received.clear()
        changed = legacy.sql("SELECT BILL_ID FROM ACC_BILL ORDER BY BILL_ID LIMIT 1")[0][0]
        legacy.sql("INSERT INTO ACC_BILL SELECT * FROM HELD")
        legacy.sql(
            "UPDATE ACC_BILL SET UPD_TS = (SELECT MAX(UPD_TS) + 1 FROM ACC_BILL) WHERE BILL_ID IN (?, ?, ?)", *held
        )
        legacy.sql(
            "UPDATE ACC_BILL SET PAID = AMOUNT, PAY_STATE = 1, UPD_TS = (SELECT MAX(UPD_TS) + 1 FROM ACC_BILL) "
            "WHERE BILL_ID = ?",
            changed,
        )
        again = await sync_billing(legacy.tenant, legacy.connector, "bills")
        assert again.written == 4  # three new, one changed
        told, sent = await _run(legacy.tenant)
        assert told == 3 and sent["delivered"] == 3
        assert sorted(listener.bills(key)) == sorted(str(b) for b in held)

        listener.received.clear()
        assert (await _run(legacy.tenant)) == (0, {"delivered": 0, "failed": 0, "dead": 0})
        assert listener.received == []
    finally:
        listener.server.shutdown()


async def test_bills_from_before_the_hub_watched_are_history(make_billing):
    legacy = make_billing("jiangnan", 10)
    await sync_billing(legacy.tenant, legacy.connector, "bills")
    await _listener(legacy.tenant, "http://127.0.0.1:9/never", query="")
    assert (await _run(legacy.tenant))[0] == 0
    with tenant_scope(legacy.tenant):
        mark = await ApiWatermark.select().first()
        newest = await Bill.select(Bill.id).order_by(Bill.id, ascending=False).first()
        assert mark["last_id"] == newest["id"] and await ApiDelivery.count() == 0


async def test_a_run_that_lost_the_race_tells_nothing(make_billing, monkeypatch):
    """Two runs read the same watermark: the second to move it rolls back its batch (no event twice)."""
    legacy = make_billing("haibin", 10)
    await _listener(legacy.tenant, "http://127.0.0.1:9/never")
    await _run(legacy.tenant)
    await sync_billing(legacy.tenant, legacy.connector, "bills")
    real_publish = hub.publish

    async def publish_then_lose(kind, resource):
        await real_publish(kind, resource)
        await ApiWatermark.update({ApiWatermark.last_id: 10**9}).where(ApiWatermark.kind == "bills")

    monkeypatch.setattr(hub, "publish", publish_then_lose)
    with tenant_scope(legacy.tenant):
        assert await bill_events.queue_new_bills(HALL, legacy.tenant.id) == 0
        assert await ApiDelivery.count() == 0  # rolled back with the batch
