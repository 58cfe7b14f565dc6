"""Every time staff and customers see is the tenant's local time (stored in UTC), through one helper."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core.audit import AuditLog, record
from core.localtime import local
from core.notify.outbox import queue
from core.notify.tables import Message
from core.testing import TenantSpec, add_operator


def _audited(harness, tenant_id: str) -> dt.datetime:
    async def go():
        await record(
            actor="chief",
            actor_kind="operator",
            action="payment.refund",
            object_type="payment",
            object_id="pi_1",
            after={"amount_fen": 100},
        )
        return (await AuditLog.select(AuditLog.at).order_by(AuditLog.id, ascending=False).first())["at"]

    return harness.in_tenant(tenant_id, go)


def test_the_audit_log_and_messages_show_the_tenants_zone_not_utc(hall_factory):
    harness = hall_factory([TenantSpec("alpha"), TenantSpec("west", timezone="America/New_York", language="en")])
    for tenant_id in ("alpha", "west"):
        add_operator(harness, tenant_id, "chief")
        at = _audited(harness, tenant_id)
        zone = ZoneInfo("Asia/Shanghai" if tenant_id == "alpha" else "America/New_York")
        shown = at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        utc = at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        client = harness.client(tenant_id)
        client.login_operator("chief")
        page = client.get("/console/audit").text
        assert shown in page, (tenant_id, shown)
        assert utc not in page, "a UTC time on the page"
        harness.in_tenant(
            tenant_id, queue, channel="sms", recipient="13900000000", subject="", body_text="hello", purpose="test"
        )
        messages = client.get("/console/messages").text
        row = harness.in_tenant(tenant_id, lambda: Message.select().first())
        assert row["created_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") in messages
        assert row["created_at"].astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S") not in messages


def test_local_takes_aware_naive_text_and_empty_values():
    moment = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    zone = ZoneInfo("Asia/Shanghai")
    expected = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    assert local(moment, zone) == expected
    assert local(moment.replace(tzinfo=None), zone) == expected, "naive times are stored UTC"
    assert local(moment.isoformat(), zone, "second") == moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    assert local(None, zone) == "" and local(None, zone, empty="-") == "-"
    assert local(moment.date(), zone, "date") == moment.date().isoformat()
