"""kill -9 between a WeChat Pay notification and the fulfilment (and before the outbox delivery): nothing lost, nothing twice.

As tests/payments/test_pay_kill.py, with the real WeChat Pay provider: the child
(wechatpay_crash_driver.py) posts signed, encrypted notifications through the
JSON notification handler, the owning plugin fulfils, and the outbox delivers
into a legacy database (sqlbss, its inbox table JK_HXSJ). SQLite, or PostgreSQL
with HALL_TEST_DB=postgres.
"""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest
import wechat_shop
from wechatpay_support import key_pairs, start_sandbox, tenant_settings, write_secrets

sys.path.insert(0, str(Path(__file__).parents[2] / "legacy"))

from billing_support import full_config  # noqa: E402

from core.demo.era import FIXED_END_MONTH  # noqa: E402
from core.demo.legacy_db import generate_legacy_db  # noqa: E402
from core.legacy.outbox_tables import OutboxEvent  # noqa: E402
from core.payments import create_intent, get_intent, start_checkout  # noqa: E402
from core.payments.settle import posted_event_id  # noqa: E402
from core.payments.tables import PaymentEvent  # noqa: E402
from core.testing import TenantSpec  # noqa: E402
from core.testing.crash import child_env, kill_and_resume, kill_at, python, run_once  # noqa: E402

DRIVER = str(Path(__file__).with_name("wechatpay_crash_driver.py"))
INBOX = {
    "table": "JK_HXSJ",
    "event_id": "SJBH",
    "kind": "SJLX",
    "payload": "SJNR",
    "written": "JSSJ",
    "written_format": "text:%Y%m%d%H%M%S",
}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("wxsandbox"))
    yield running
    running.stop()


def paying_hall(hall_factory, tmp_path: Path, sandbox):
    """jiangnan takes WeChat Pay only, through the sandbox (orders placed there; the driver sends the notifications)."""
    path = tmp_path / "legacy.sqlite3"
    generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=5, style="jiangnan", months=1)
    connector = {**full_config("jiangnan"), "url": f"sqlite:///{path}", "writeback": INBOX}
    spec = TenantSpec(
        "jiangnan",
        plugins=["wxshop"],
        connector=connector,
        payments={"providers": ["wechatpay"]},
        plugin_settings=tenant_settings(sandbox.url),
    )
    h = hall_factory([spec], extra_plugins={"wxshop": wechat_shop})
    write_secrets(h.hall.settings.config_file, "jiangnan")
    platform_key = tmp_path / "platform-private.pem"
    platform_key.write_text(key_pairs().platform_private)
    return h, path, str(platform_key)


def open_intents(h, n):
    """n Native orders placed at the sandbox: the intents are pending, as when the customer has the QR code."""

    async def go():
        out = []
        for i in range(n):
            intent = await create_intent(
                h.hall,
                purpose="card",
                owner="wxshop",
                reference=f"r{i}",
                customer_id="C1",
                amount_fen=1000 + i,
                provider="wechatpay",
                idempotency_key=f"k{i}",
            )
            await start_checkout(h.hall, intent.id, channel="pc", return_url="http://a/r", notify_url="http://a/n")
            out.append(f"{intent.id}:{intent.amount_fen}")
        return out

    return h.in_tenant("jiangnan", go)


def inbox(path: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as conn:
        return sorted(conn.execute("SELECT SJBH, SJLX FROM JK_HXSJ"))


def events(h) -> dict[str, str]:
    return {r["event_id"]: r["status"] for r in h.in_tenant("jiangnan", lambda: OutboxEvent.select())}


def refused(h) -> int:
    rows = h.in_tenant("jiangnan", lambda: PaymentEvent.select(PaymentEvent.accepted))
    return sum(1 for r in rows if r["accepted"] is False)


def expect_settled_once(h, path, items):
    ids = [i.split(":")[0] for i in items]
    assert all(h.in_tenant("jiangnan", get_intent, i).state == "succeeded" for i in ids)
    rows = h.in_tenant("jiangnan", lambda: OutboxEvent.select(OutboxEvent.event_id, OutboxEvent.kind, OutboxEvent.payload, OutboxEvent.status))  # fmt: skip
    assert {r["status"] for r in rows} == {"delivered"}
    posted = sorted(r["payload"]["intent_id"] for r in rows if r["kind"] == "payment.posted")
    delivered = sorted(r["payload"]["intent_id"] for r in rows if r["kind"] == "wxshop.delivered")
    assert posted == sorted(ids) and delivered == sorted(ids)  # one credit, one fulfilment each
    assert inbox(path) == sorted((r["event_id"], r["kind"]) for r in rows)  # the legacy system has each event once
    assert {posted_event_id("jiangnan", i) for i in ids} <= {r["event_id"] for r in rows}
    assert refused(h) == 0  # every notification verified and decrypted: none was refused on the way


def test_killed_between_notification_and_fulfilment_nothing_is_lost(hall_factory, tmp_path, sandbox):
    h, path, key = paying_hall(hall_factory, tmp_path, sandbox)
    items = open_intents(h, 2)
    env = child_env(HALL_CONFIG=str(h.hall.settings.config_file))
    killed = kill_at(python(DRIVER, "jiangnan", "0", key, *items), "notified#2", env=env)
    assert killed.lines("progress fulfilled")[0].endswith(" 204"), killed.output[-20:]
    first, second = (i.split(":")[0] for i in items)
    assert h.in_tenant("jiangnan", get_intent, first).state == "succeeded"
    assert h.in_tenant("jiangnan", get_intent, second).state == "pending"  # the kill rolled the settlement back
    assert set(events(h)) >= {posted_event_id("jiangnan", first)} and len(events(h)) == 2 and inbox(path) == []
    resumed = run_once(python(DRIVER, "jiangnan", "11", key, *items), env=env)  # WeChat Pay sends both again
    assert resumed.returncode == 0, resumed.output[-20:]
    assert [line.split()[-1] for line in resumed.lines("progress fulfilled")] == ["204", "204"]
    assert len(resumed.lines("progress notified")) == 1  # only the second is fulfilled now; the first is a duplicate
    expect_settled_once(h, path, items)


def test_killed_between_fulfilment_and_outbox_delivery_nothing_is_lost(hall_factory, tmp_path, sandbox):
    h, path, key = paying_hall(hall_factory, tmp_path, sandbox)
    items = open_intents(h, 2)
    env = child_env(HALL_CONFIG=str(h.hall.settings.config_file))
    kill_at(python(DRIVER, "jiangnan", "0", key, *items), "fulfilled#2", env=env)
    assert set(events(h).values()) == {"pending"} and len(events(h)) == 4  # committed, not delivered yet
    assert inbox(path) == []
    resumed = run_once(python(DRIVER, "jiangnan", "11", key, *items), env=env)
    assert resumed.returncode == 0 and resumed.lines("progress notified") == []  # duplicates: nobody fulfils twice
    expect_settled_once(h, path, items)


def test_killed_at_random_moments_every_wechatpay_payment_is_credited_and_posted_once(hall_factory, tmp_path, sandbox):
    h, path, key = paying_hall(hall_factory, tmp_path, sandbox)
    items = open_intents(h, 6)
    env = child_env(HALL_CONFIG=str(h.hall.settings.config_file))
    run = kill_and_resume(
        lambda n: python(DRIVER, "jiangnan", str(11 * n), key, *items), env=env, seed=7, kills=4, after=(1, 10)
    )
    assert run.kills >= 2, [(r.killed, r.steps, r.returncode) for r in run.rounds]
    expect_settled_once(h, path, items)
