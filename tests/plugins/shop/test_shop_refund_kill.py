"""kill -9 between a keyed refund's reservation and the gateway: the retry with the key finishes that refund, once.

The child (refund_crash_driver.py) asks the payment core for an after-sales refund keyed ``shop-aftersales:<id>``
on the test hall's own database (SQLite, or PostgreSQL with HALL_TEST_DB=postgres).
"""

from __future__ import annotations

import json
from pathlib import Path

from test_shop_kill import open_orders, shop_hall

from core.api.payments import GatewayResult, Refund, get_intent, refund_id_for, settle
from core.legacy.outbox_tables import OutboxEvent
from core.testing.crash import child_env, kill_at, python, run_once

DRIVER = str(Path(__file__).with_name("refund_crash_driver.py"))
KEY = "shop-aftersales:1"


def test_killed_after_the_reservation_the_retry_refunds_once(hall_factory, tmp_path):
    h = shop_hall(hall_factory, tmp_path)
    [item] = open_orders(h, 1)
    intent_id, fen = item.split(":")
    paid = GatewayResult(intent_id, "T1", "succeeded", int(fen), {})
    h.in_tenant("jiangnan", settle, h.hall, "fake", paid)
    env = child_env(HALL_CONFIG=str(h.hall.settings.config_file))

    kill_at(python(DRIVER, "jiangnan", item, KEY), "reserved#1", env=env)
    rows = h.in_tenant("jiangnan", lambda: Refund.select())
    assert [(r["refund_id"], r["state"]) for r in rows] == [(refund_id_for(KEY), "pending")]
    assert h.in_tenant("jiangnan", get_intent, intent_id).refunded_fen == int(fen)  # reserved, not yet asked

    resumed = run_once(python(DRIVER, "jiangnan", item, KEY), env=env)  # the retry (a click, the job) with the key
    assert resumed.returncode == 0, resumed.output[-20:]
    assert resumed.lines("outcome")[0].split()[1:] == [refund_id_for(KEY), "succeeded"]
    assert json.loads(resumed.lines("gateway")[0].split(" ", 1)[1]) == {refund_id_for(KEY): int(fen)}
    rows = h.in_tenant("jiangnan", lambda: Refund.select())
    assert [(r["refund_id"], r["state"]) for r in rows] == [(refund_id_for(KEY), "succeeded")]
    after = h.in_tenant("jiangnan", get_intent, intent_id)
    assert (after.state, after.refunded_fen) == ("refunded", int(fen))  # counted once
    events = h.in_tenant("jiangnan", lambda: OutboxEvent.select().where(OutboxEvent.kind == "payment.refunded"))
    assert len(events) == 1
