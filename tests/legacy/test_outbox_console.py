"""The console's outbox page: events by status, replay of dead ones (audited), behind ``core.outbox.manage``."""

from __future__ import annotations

from outbox_support import deliver, emit_one, events

from core.audit import AuditLog
from core.testing import TenantSpec, add_operator


def test_operators_see_the_outbox_and_replay_dead_events(hall_factory):
    h = hall_factory([TenantSpec("alpha", connector={"type": "fake", "writeback": {"max_attempts": 1}})])
    h.connectors["alpha"].rejects["order.placed"] = "unknown product code 77"
    dead_id = emit_one(h, kind="order.placed", payload={"product": 77})
    assert deliver(h).dead == 1
    waiting_id = emit_one(h, kind="payment.posted")
    add_operator(h, "alpha", "clerk", permissions=["core.outbox.manage", "core.customers.view"])
    add_operator(h, "alpha", "reader", permissions=["core.audit.view"])
    reader = h.client("alpha")
    reader.login_operator("reader")
    assert reader.get("/console/outbox").status_code == 403
    client = h.client("alpha")
    client.login_operator("clerk")
    assert "/console/outbox?status=dead" in client.get("/console").text  # the home panel points at the dead event
    page = client.get("/console/outbox")
    assert (
        page.status_code == 200
        and dead_id in page.text
        and waiting_id in page.text
        and "unknown product code 77" in page.text
    )
    dead_only = client.get("/console/outbox", params={"status": "dead"}).text
    assert dead_id in dead_only and waiting_id not in dead_only
    assert waiting_id not in client.get("/console/outbox", params={"kind": "order.placed"}).text
    row_id = events(h)[0]["id"]
    assert client.post(f"/console/outbox/{row_id + 100}/replay").status_code == 404
    assert reader.post(f"/console/outbox/{row_id}/replay").status_code == 403
    r = client.post(f"/console/outbox/{row_id}/replay")
    assert r.status_code == 303
    assert events(h)[0]["status"] == "pending"
    [entry] = h.in_tenant("alpha", lambda: AuditLog.select().where(AuditLog.action == "outbox.replay"))
    assert entry["actor"] == "clerk" and entry["object_id"] == dead_id
    assert entry["before"]["status"] == "dead" and entry["after"]["status"] == "pending"
