"""Events that no mapping takes (and no inbox) wait in the outbox with the reason, without using up attempts."""

from __future__ import annotations

import asyncio
import datetime as dt

from outbox_support import deliver, emit_one, events
from payments_support import NUMBER, Bss, bss_config, build_bss

from core.testing import TenantSpec


def test_an_unmapped_event_waits_with_the_reason_and_mapped_ones_go(hall_factory, tmp_path):
    bss = Bss(tmp_path, "sqlite", bss_config(), tmp_path / "tenant.toml")
    build_bss(bss.path)
    asyncio.run(bss.start())
    h = hall_factory([TenantSpec("alpha", connector=bss.config)])
    bill = {
        "intent_id": "pi" + "4" * 28,
        "purpose": "bill",
        "amount_fen": 5000,
        "provider": "alipay",
        "paid_at": "2024-03-05T02:30:00+00:00",
        "metadata": {"number": NUMBER, "bills": [{"bill_id": "B1", "month": "2024-02", "amount_fen": 5000}]},
    }
    posted = emit_one(h, "alpha", payload=bill)
    order = emit_one(h, "alpha", kind="order.placed", payload={"product": 7})
    renewal = emit_one(h, "alpha", payload={**bill, "intent_id": "pi" + "5" * 28, "purpose": "renewal"})
    result = deliver(h, "alpha")
    assert (result.delivered, result.unmapped, result.failed, result.dead) == (1, 2, 0, 0)
    rows = {e["event_id"]: e for e in events(h, "alpha")}
    assert rows[posted]["status"] == "delivered"
    for waiting in (order, renewal):
        assert rows[waiting]["status"] == "pending" and rows[waiting]["attempts"] == 0
        assert rows[waiting]["next_attempt_at"] > dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=50)
    assert (
        'no [connector.writeback.events."order.placed"] maps events of kind order.placed' in rows[order]["last_error"]
    )
    assert "no target of payment.posted takes this event" in rows[renewal]["last_error"]
    assert deliver(h, "alpha").unmapped == 0  # not due again before retry_max_seconds
    h.run(h.hall.connector(h.tenant("alpha")).close())
    assert len(bss.rows("BZ = '" + "pi" + "4" * 28 + "'")) == 1
    asyncio.run(bss.stop())
