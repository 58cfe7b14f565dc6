"""kill -9 of a real charge run that charges agreements (代扣) through the Alipay sandbox, then a rerun: each product
and month is charged once, and money the provider took before the kill is posted once, never taken again.
SQLite, or PostgreSQL with HALL_TEST_DB=postgres."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from autopay_support import autopay_world, sign, start_sandbox
from charge_support import UTC, charge_events, charges, make_boxes
from test_autopay import intents, posted, sandbox_trades

from core.testing.crash import child_env, kill_and_resume, kill_at, python, run_once

DRIVER = str(Path(__file__).with_name("charge_driver.py"))
FEB = dt.datetime(2026, 2, 1, 0, 0, tzinfo=UTC)
MOMENT = dt.datetime(2026, 2, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("autopay-kill-sandbox"))
    yield running
    running.stop()


@pytest.fixture
def world(hall_factory, sandbox):
    return autopay_world(hall_factory, sandbox)


def child(world, balances: str):
    env = child_env(HALL_CONFIG=str(world.harness.hall.settings.config_file), CHARGE_BALANCES=balances)
    env["PYTHONPATH"] = f"{Path(__file__).parent}:{env['PYTHONPATH']}"
    return python(DRIVER, "alpha", MOMENT.isoformat()), env


def assert_each_once(world, sandbox, boxes: list[int]) -> None:
    got = world.run(charges)
    assert sorted(c["product_id"] for c in got) == boxes and {c["state"] for c in got} == {"debited"}
    paid = intents(world)
    assert {i["state"] for i in paid} == {"succeeded"} and len(paid) == len(boxes)
    assert sorted(i["idempotency_key"] for i in paid) == sorted(f"charge:alpha:{b}:2026-02" for b in boxes)
    assert len(sandbox_trades(sandbox, world)) == len(boxes)  # the provider took each month's money once
    assert len(posted(world)) == len(boxes)  # and each payment was posted once
    assert sorted(c["intent_id"] for c in got) == sorted(i["public_id"] for i in paid)
    events = world.run(charge_events)
    assert sorted(e["event_id"] for e in events) == sorted(c["event_id"] for c in got)


def test_killed_between_the_providers_charge_and_the_posting_the_rerun_charges_nothing_twice(world, sandbox):
    boxes = world.run(make_boxes, 3, started=FEB)
    sign(world, sandbox, "A1")
    command, env = child(world, "A1=0")
    kill_at(command, "gateway#2", env=env)  # the second month's money taken at Alipay, not yet settled here
    assert len(sandbox_trades(sandbox, world)) == 2
    assert len(world.run(charges)) == 1 and len(posted(world)) == 1
    again = run_once(command, env=env)
    assert again.returncode == 0, again.output[-20:]
    assert len(again.lines("progress gateway")) == 2  # the second asked again (answered from its trade), the third
    assert_each_once(world, sandbox, boxes)


@pytest.mark.parametrize("seed", [5])
def test_an_agreement_charge_run_killed_at_random_moments_charges_each_month_once(world, sandbox, seed):
    boxes = world.run(make_boxes, 8, started=FEB)
    sign(world, sandbox, "A1")
    command, env = child(world, "A1=2000")  # two months from the balance, six by agreement
    run = kill_and_resume(command, env=env, seed=seed, kills=3, after=(1, 12), delay=(0.0, 0.004))
    assert run.kills >= 1, [(r.killed, r.steps, r.returncode) for r in run.rounds]
    got = world.run(charges)
    assert sorted(c["product_id"] for c in got) == boxes and {c["state"] for c in got} == {"debited"}
    paid = intents(world)
    assert {i["state"] for i in paid} == {"succeeded"} and len(paid) == len(sandbox_trades(sandbox, world))
    assert len(posted(world)) == len(paid) and len({i["idempotency_key"] for i in paid}) == len(paid)
    assert len([c for c in got if c["intent_id"]]) == 6
    events = world.run(charge_events)
    assert sorted(e["event_id"] for e in events) == sorted(c["event_id"] for c in got)
