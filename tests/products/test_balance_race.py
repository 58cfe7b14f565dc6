"""The balance race: workers charging one prepaid account at once never spend the same money twice.

Every debit decides under the account's row lock (core/products/spending.py).
On PostgreSQL (HALL_TEST_DB=postgres) the tasks below run on separate
connections and several child processes charge at once; a kill -9 mid-run
leaves no debit without its event and spends nothing twice. The clock is the
test's, never today's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
from pathlib import Path

import pytest
from charge_support import UTC, charge_events, charges, make_boxes
from product_support import build

from core.legacy.balances import forget_balance
from core.legacy.ports import LegacyBalance
from core.products.charges import charge_one, period_label, periods_to_charge, run_charges
from core.products.settings import products_settings
from core.products.spending import BalanceBook
from core.tenancy import tenant_scope
from core.testing.crash import child_env, kill_and_resume, python

DRIVER = str(Path(__file__).with_name("charge_driver.py"))
FEB = dt.datetime(2026, 2, 1, 0, 0, tzinfo=UTC)
MOMENT = dt.datetime(2026, 2, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def prepaid(hall_factory):
    return build(hall_factory, products={"charges": {"settle": "balance", "catch_up_months": 1}})


def set_balance(world, account: str, fen: int) -> None:
    world.connector().balances[account] = LegacyBalance(account, fen, dt.datetime(2026, 1, 1, tzinfo=UTC), "prepaid")
    world.run(forget_balance, account)


def spent(world, account: str = "A1") -> list[dict]:
    return [c for c in world.run(charges) if c["account_legacy_id"] == account and c["state"] in ("debited", "paid")]


def concurrently(world, make_call, count: int) -> list:
    """``count`` coroutines started at the same moment (on PostgreSQL each on its own connection)."""
    h = world.harness
    tenant = h.tenant("alpha")

    async def scenario():
        started = asyncio.Event()

        async def one(n):
            await started.wait()
            with tenant_scope(tenant):
                return await make_call(n)

        tasks = [asyncio.create_task(one(n)) for n in range(count)]
        await asyncio.sleep(0)
        started.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = h.run(scenario())
    assert not [r for r in results if isinstance(r, BaseException)], results
    return results


def test_debits_of_one_account_at_once_never_overdraw_it(prepaid, clock):
    """Eight products of one account charged at the same moment, each after the run's book said "covered"."""
    world = prepaid
    h = world.harness
    tenant = h.tenant("alpha")
    boxes = world.run(make_boxes, 8, started=FEB)
    set_balance(world, "A1", 3500)  # covers three fees of 1000
    clock.set(MOMENT)
    settings = products_settings(h.hall, tenant).charges
    period = periods_to_charge(MOMENT, tenant, settings)[-1]
    from core.products.charging import chargeable

    products = world.run(chargeable, period[1], period[2])
    assert [p["id"] for p in products] == boxes

    async def book_saying_covered():
        book = BalanceBook(h.hall, tenant)
        assert (await book.covers("A1", 1000))[0]  # each worker, alone, would think it may
        return book

    # every book reads the balance before any charge: a loaded machine must not serialise the workers so that
    # a later one already sees the others' debits (the test would then prove nothing, or fail on its premise)
    books = [world.run(book_saying_covered) for _ in range(8)]

    async def charge(n):
        return await charge_one(h.hall, tenant, products[n], period, None, books[n])

    outcomes = concurrently(world, charge, 8)
    assert sorted(outcomes) == ["arrears"] * 5 + ["charged"] * 3
    assert sum(c["amount_fen"] for c in spent(world)) == 3000  # never more than the 3500 there was
    assert [e["kind"] for e in world.run(charge_events)] == ["charge.debited"] * 3
    assert {c["reason"] for c in world.run(charges) if c["state"] == "arrears"} == {"balance_low"}


def test_concurrent_runs_charging_and_settling_one_account_spend_each_fen_once(prepaid, clock):
    """Four runs at once, while arrears of the month before are settled from a top-up and this month is charged."""
    world = prepaid
    h = world.harness
    world.run(make_boxes, 6, started=dt.datetime(2026, 1, 5, tzinfo=UTC))
    set_balance(world, "A1", 0)
    clock.set(dt.datetime(2026, 1, 20, 1, 0, tzinfo=UTC))
    assert world.run(run_charges, h.hall, h.tenant("alpha"))["arrears"] == 6  # January: nothing to pay with
    set_balance(world, "A1", 7500)  # a top-up: seven fees and a half
    clock.set(MOMENT)
    tenant = h.tenant("alpha")
    results = concurrently(world, lambda n: run_charges(h.hall, tenant), 4)
    assert all(r["failed"] == 0 for r in results)
    got = world.run(charges)
    assert len(got) == 12 == len({(c["product_id"], c["period"]) for c in got})  # each product and month once
    assert sum(c["amount_fen"] for c in spent(world)) == 7000
    assert sum(r["settled"] for r in results) == 6  # January's arrears first (oldest first), each once
    events = world.run(charge_events)
    assert len(events) == 7 == len({e["event_id"] for e in events})
    assert all(c["amount_fen"] > 0 for c in got)  # a charge is a debit: no balance goes up


def _child(world, balances: str):
    env = child_env(HALL_CONFIG=str(world.harness.hall.settings.config_file), CHARGE_BALANCES=balances)
    env["PYTHONPATH"] = f"{Path(__file__).parent}:{env['PYTHONPATH']}"
    return python(DRIVER, "alpha", MOMENT.isoformat()), env


def test_several_processes_charging_one_account_at_once_never_overdraw_it(prepaid):
    world = prepaid
    world.run(make_boxes, 10, started=FEB, account="A1")
    world.run(make_boxes, 10, started=FEB, account="A2")
    command, env = _child(world, "A1=4500,A2=20000")
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(3)
    ]
    outputs = [p.communicate()[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert sum(c["amount_fen"] for c in spent(world, "A1")) == 4000  # 4500 pays four, whoever charged them
    assert len(spent(world, "A2")) == 10
    got = world.run(charges)
    assert len(got) == 20 == len({c["product_id"] for c in got})
    assert len(world.run(charge_events)) == 14


@pytest.mark.parametrize("seed", [3])
def test_a_balance_run_killed_at_random_moments_spends_each_fen_once(prepaid, seed):
    world = prepaid
    world.run(make_boxes, 12, started=FEB)
    command, env = _child(world, "A1=7000")
    run = kill_and_resume(command, env=env, seed=seed, kills=3, after=(2, 10), delay=(0.0, 0.004))
    assert run.kills >= 1, [(r.killed, r.steps, r.returncode) for r in run.rounds]
    got = world.run(charges)
    assert len(got) == 12 == len({c["product_id"] for c in got})
    assert [c["period"] for c in got] == [period_label(FEB, world.harness.tenant("alpha"))] * 12
    debited = spent(world)
    assert len(debited) == 7 and sum(c["amount_fen"] for c in debited) == 7000
    events = world.run(charge_events)
    assert sorted(e["event_id"] for e in events) == sorted(c["event_id"] for c in debited)  # each debit with its event
