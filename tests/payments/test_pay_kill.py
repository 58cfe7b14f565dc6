"""kill -9 between the notification and the fulfilment, and between the fulfilment and the outbox delivery: nothing lost, nothing twice.

The child (pay_crash_driver.py) runs the real notification handler, the
owning plugin's fulfilment and the outbox delivery into a legacy database
(sqlbss, its inbox table JK_HXSJ) on the test hall's own database - SQLite,
or PostgreSQL with HALL_TEST_DB=postgres.
"""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "legacy"))

from billing_support import full_config  # noqa: E402

from core.demo.era import FIXED_END_MONTH  # noqa: E402
from core.demo.legacy_db import generate_legacy_db  # noqa: E402
from core.legacy.outbox_tables import OutboxEvent  # noqa: E402
from core.payments import create_intent, get_intent, start_checkout  # noqa: E402
from core.payments.settle import posted_event_id  # noqa: E402
from core.testing import TenantSpec  # noqa: E402
from core.testing.crash import child_env, kill_and_resume, kill_at, python, run_once  # noqa: E402
from core.testing.payments import FakePaymentPlugin  # noqa: E402

import shop_plugin  # noqa: E402

DRIVER = str(Path(__file__).with_name("pay_crash_driver.py"))
INBOX = {
    "table": "JK_HXSJ",
    "event_id": "SJBH",
    "kind": "SJLX",
    "payload": "SJNR",
    "written": "JSSJ",
    "written_format": "text:%Y%m%d%H%M%S",
}


def paying_hall(hall_factory, tmp_path: Path):
    path = tmp_path / "legacy.sqlite3"
    generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=5, style="jiangnan", months=1)
    connector = {**full_config("jiangnan"), "url": f"sqlite:///{path}", "writeback": INBOX}
    spec = TenantSpec("jiangnan", plugins=["testshop"], connector=connector, payments={"providers": ["fake"]})
    h = hall_factory([spec], extra_plugins={"fakepay": FakePaymentPlugin(), "testshop": shop_plugin})
    return h, path


def open_intents(h, n):
    async def go():
        out = []
        for i in range(n):
            intent = await create_intent(
                h.hall,
                purpose="card",
                owner="testshop",
                reference=f"r{i}",
                customer_id="C1",
                amount_fen=1000 + i,
                provider="fake",
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


def expect_settled_once(h, path, items):
    ids = [i.split(":")[0] for i in items]
    assert all(h.in_tenant("jiangnan", get_intent, i).state == "succeeded" for i in ids)
    rows = h.in_tenant(
        "jiangnan",
        lambda: OutboxEvent.select(OutboxEvent.event_id, OutboxEvent.kind, OutboxEvent.payload, OutboxEvent.status),
    )
    assert {r["status"] for r in rows} == {"delivered"}
    assert sorted(r["payload"]["intent_id"] for r in rows if r["kind"] == "payment.posted") == sorted(
        ids
    )  # one credit each
    assert sorted(r["payload"]["intent_id"] for r in rows if r["kind"] == "shop.delivered") == sorted(
        ids
    )  # one fulfilment each
    assert inbox(path) == sorted(
        (r["event_id"], r["kind"]) for r in rows
    )  # the legacy system has each event once (销账 once)
    assert {posted_event_id("jiangnan", i) for i in ids} <= {r["event_id"] for r in rows}


def test_killed_between_notification_and_fulfilment_nothing_is_lost(hall_factory, tmp_path):
    h, path = paying_hall(hall_factory, tmp_path)
    items = open_intents(h, 2)
    env = child_env(HALL_CONFIG=str(h.hall.settings.config_file))
    killed = kill_at(python(DRIVER, "jiangnan", "0", *items), "notified#2", env=env)
    assert killed.lines("progress fulfilled")[0].endswith("success")
    first, second = (i.split(":")[0] for i in items)
    assert h.in_tenant("jiangnan", get_intent, first).state == "succeeded"
    assert h.in_tenant("jiangnan", get_intent, second).state == "pending"  # the kill rolled the whole settlement back
    assert (
        set(events(h)) >= {posted_event_id("jiangnan", first)} and len(events(h)) == 2 and inbox(path) == []
    )  # the first's only
    resumed = run_once(python(DRIVER, "jiangnan", "11", *items), env=env)  # the gateway sends both again
    assert resumed.returncode == 0, resumed.output[-20:]
    assert [line.split()[-1] for line in resumed.lines("progress fulfilled")] == ["success", "success"]
    assert len(resumed.lines("progress notified")) == 1  # only the second is fulfilled now; the first was a duplicate
    expect_settled_once(h, path, items)


def test_killed_between_fulfilment_and_outbox_delivery_nothing_is_lost(hall_factory, tmp_path):
    h, path = paying_hall(hall_factory, tmp_path)
    items = open_intents(h, 2)
    env = child_env(HALL_CONFIG=str(h.hall.settings.config_file))
    kill_at(python(DRIVER, "jiangnan", "0", *items), "fulfilled#2", env=env)
    assert (
        set(events(h).values()) == {"pending"} and len(events(h)) == 4
    )  # committed with the payments, not delivered yet
    assert inbox(path) == []
    resumed = run_once(python(DRIVER, "jiangnan", "11", *items), env=env)
    assert resumed.returncode == 0 and resumed.lines("progress notified") == []  # duplicates: nobody fulfils twice
    expect_settled_once(h, path, items)


def test_killed_at_random_moments_every_payment_is_credited_and_posted_once(hall_factory, tmp_path):
    h, path = paying_hall(hall_factory, tmp_path)
    items = open_intents(h, 6)
    env = child_env(HALL_CONFIG=str(h.hall.settings.config_file))
    run = kill_and_resume(
        lambda n: python(DRIVER, "jiangnan", str(11 * n), *items), env=env, seed=5, kills=4, after=(1, 10)
    )
    assert run.kills >= 2, [(r.killed, r.steps, r.returncode) for r in run.rounds]
    expect_settled_once(h, path, items)


def test_killed_in_the_middle_of_a_group_commit_each_payment_is_credited_once_after_the_retry(hall_factory, tmp_path):
    h, path = paying_hall(hall_factory, tmp_path)
    items = open_intents(h, 3)
    env = child_env(HALL_CONFIG=str(h.hall.settings.config_file))
    killed = kill_at(python(DRIVER, "jiangnan", "0", "--together", *items), "notified#2", env=env)
    assert killed.lines("progress fulfilled") == []  # nobody was answered: the gateway sends them all again
    ids = [i.split(":")[0] for i in items]
    # the first was settled and fulfilled in the batch, but its commit never came: nothing of the batch is left
    assert [h.in_tenant("jiangnan", get_intent, i).state for i in ids] == ["pending"] * 3
    assert events(h) == {} and inbox(path) == []
    resumed = run_once(python(DRIVER, "jiangnan", "11", "--together", *items), env=env)
    assert resumed.returncode == 0, resumed.output[-20:]
    assert [line.split()[-1] for line in resumed.lines("progress fulfilled")] == ["success"] * 3
    assert len(resumed.lines("progress notified")) == 3 and resumed.lines("batches") == ["batches [3]"]
    expect_settled_once(h, path, items)


def test_group_commits_killed_at_random_moments_credit_and_post_every_payment_once(hall_factory, tmp_path):
    h, path = paying_hall(hall_factory, tmp_path)
    items = open_intents(h, 6)
    env = child_env(HALL_CONFIG=str(h.hall.settings.config_file))
    run = kill_and_resume(
        lambda n: python(DRIVER, "jiangnan", str(11 * n), "--together", *items),
        env=env,
        seed=7,
        kills=4,
        after=(1, 10),
    )
    assert run.kills >= 2, [(r.killed, r.steps, r.returncode) for r in run.rounds]
    expect_settled_once(h, path, items)
