"""kill -9 at random moments of a real charge run in a child process, then a rerun: exactly one charge and one BSS
event per product and month, none missed (SQLite, or PostgreSQL with HALL_TEST_DB=postgres)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from charge_support import UTC, charge_events, charges, make_boxes

from core.products.charge_tables import ChargeRun
from core.products.charges import charge_event_id
from core.testing.crash import child_env, kill_and_resume, kill_at, python, run_once

DRIVER = str(Path(__file__).with_name("charge_driver.py"))
MOMENT = dt.datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # the run charges January to March (Shanghai)


def child(world):
    env = child_env(HALL_CONFIG=str(world.harness.hall.settings.config_file))
    env["PYTHONPATH"] = f"{Path(__file__).parent}:{env['PYTHONPATH']}"
    return python(DRIVER, "alpha", MOMENT.isoformat()), env


def assert_exactly_once(world, products: list[int]) -> None:
    got = world.run(charges)
    want = {(p, m) for p in products for m in ("2026-01", "2026-02", "2026-03")}
    assert [(c["product_id"], c["period"]) for c in got] == sorted(want)  # each once, none missed
    assert {c["state"] for c in got} == {"posted"}
    events = world.run(charge_events)
    assert sorted(e["event_id"] for e in events) == sorted(charge_event_id("alpha", p, m) for p, m in want)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_charge_run_killed_at_random_moments_charges_each_product_once_per_month(world, seed):
    products = world.run(make_boxes, 15)
    command, env = child(world)
    run = kill_and_resume(command, env=env, seed=seed, kills=4, after=(2, 20), delay=(0.0, 0.004))
    assert run.kills >= 2, [(r.killed, r.steps, r.returncode) for r in run.rounds]
    assert_exactly_once(world, products)
    runs = world.run(lambda: ChargeRun.select().order_by(ChargeRun.id))
    assert runs[-1]["state"] == "done" and runs[-1]["failed"] == 0
    assert sum(r["charged"] for r in runs if r["state"] == "done") <= 45


def test_killed_inside_a_charges_transaction_the_row_goes_with_its_event(world):
    products = world.run(make_boxes, 6)
    command, env = child(world)
    kill_at(command, "written#8", env=env)  # January done, one of February committed, the next row written, no event
    assert len(world.run(charges)) == len(world.run(charge_events)) == 7  # the half-done charge rolled back whole
    again = run_once(command, env=env)
    assert again.returncode == 0
    assert len(again.lines("progress written")) == 11  # the other eleven, nothing twice
    assert_exactly_once(world, products)
    runs = world.run(lambda: ChargeRun.select().order_by(ChargeRun.id))
    assert [r["state"] for r in runs] == ["running", "done"]  # the killed run is marked interrupted two hours on
