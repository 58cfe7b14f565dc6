"""Account balances through the shared cache (core/legacy/balances.py): fresh, cached, asked again, stale when the BSS fails."""

from __future__ import annotations

import datetime as dt

import pytest

from core.api.legacy import LegacyBalance, balance_of, forget_balance
from core.api.testing import TenantSpec
from core.legacy import balances
from core.legacy.billing_tables import Balance

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.timezone.utc)
AS_OF = dt.datetime(2026, 3, 1, 7, 55, tzinfo=dt.timezone.utc)


@pytest.fixture
def world(hall_factory, monkeypatch):
    harness = hall_factory(
        [
            TenantSpec("alpha", connector={"type": "fake", "balances": True}, legacy={"balance_timeout_seconds": 0.2}),
            TenantSpec("beta"),  # a connector without the balances port
        ]
    )
    clock = {"now": T0}
    monkeypatch.setattr(balances, "now", lambda: clock["now"])
    bss = harness.connectors["alpha"]
    bss.balances["ACC1"] = LegacyBalance("ACC1", -5830, AS_OF, "postpaid")
    return harness, bss, clock


def look(harness, account: str, tid: str = "alpha"):
    return harness.in_tenant(tid, balance_of, harness.hall, harness.tenant(tid), account)


def asked(bss) -> int:
    return sum(1 for c in bss.calls if c.startswith("balance_of:"))


def test_a_fresh_figure_is_cached_for_the_tenants_seconds_then_asked_again(world):
    harness, bss, clock = world
    first = look(harness, "ACC1")
    assert (first.balance_fen, first.billing, first.as_of, first.fresh, first.owed_fen) == (
        -5830,
        "postpaid",
        AS_OF,
        True,
        5830,
    )
    bss.balances["ACC1"] = LegacyBalance("ACC1", -1000, AS_OF + dt.timedelta(minutes=1), "postpaid")
    clock["now"] = T0 + dt.timedelta(seconds=59)
    assert look(harness, "ACC1").balance_fen == -5830 and asked(bss) == 1  # the cache answers within 60 s
    clock["now"] = T0 + dt.timedelta(seconds=61)
    again = look(harness, "ACC1")
    assert (again.balance_fen, again.fresh, asked(bss)) == (-1000, True, 2)
    row = harness.in_tenant("alpha", lambda: Balance.select().first())
    assert (row["account_legacy_id"], row["balance_fen"], row["fetched_at"]) == (
        "ACC1",
        -1000,
        T0 + dt.timedelta(seconds=61),
    )


def test_a_bss_that_fails_gives_the_last_figure_marked_stale_and_never_a_made_up_one(world):
    harness, bss, clock = world
    look(harness, "ACC1")
    bss.down = True
    clock["now"] = T0 + dt.timedelta(minutes=5)
    stale = look(harness, "ACC1")
    assert (stale.balance_fen, stale.as_of, stale.fresh, stale.known) == (-5830, AS_OF, False, True)
    bss.balances["NEW"] = LegacyBalance("NEW", 100, AS_OF)
    never = look(harness, "NEW")  # down, and never read before: no figure at all
    assert (never.balance_fen, never.fresh, never.known, never.owed_fen) == (None, False, False, 0)
    bss.down = False
    assert look(harness, "ACC1").fresh is True


def test_a_slow_bss_is_not_waited_for_past_the_timeout(world):
    harness, bss, clock = world
    look(harness, "ACC1")
    bss.slow = 5.0  # the tenant waits 0.2 s
    clock["now"] = T0 + dt.timedelta(minutes=5)
    late = look(harness, "ACC1")
    assert (late.balance_fen, late.fresh) == (-5830, False)


def test_a_problem_reported_by_the_connector_is_a_stale_answer(world):
    harness, bss, clock = world
    look(harness, "ACC1")
    bss.balances["ACC1"] = LegacyBalance("ACC1", 0, AS_OF, problem="value 'x' does not parse")
    clock["now"] = T0 + dt.timedelta(minutes=5)
    got = look(harness, "ACC1")
    assert (got.balance_fen, got.fresh) == (-5830, False)


def test_forget_makes_the_next_look_up_ask_the_bss_within_the_cache_time(world):
    harness, bss, clock = world
    look(harness, "ACC1")
    bss.balances["ACC1"] = LegacyBalance("ACC1", 0, AS_OF, "postpaid")
    harness.in_tenant("alpha", forget_balance, "ACC1")
    clock["now"] = T0 + dt.timedelta(seconds=10)
    assert look(harness, "ACC1").balance_fen == 0 and asked(bss) == 2


def test_no_port_no_account_or_no_balance_is_none(world):
    harness, bss, _ = world
    assert look(harness, "ACC1", "beta") is None
    assert look(harness, "") is None
    assert look(harness, "UNKNOWN") is None and asked(bss) == 1


def test_cache_time_zero_asks_every_time(hall_factory):
    harness = hall_factory(
        [TenantSpec("alpha", connector={"type": "fake", "balances": True}, legacy={"balance_cache_seconds": 0})]
    )
    bss = harness.connectors["alpha"]
    bss.balances["A"] = LegacyBalance("A", 1, AS_OF, "prepaid")
    assert [look(harness, "A").billing for _ in range(3)] == ["prepaid"] * 3 and asked(bss) == 3


def test_balances_are_per_tenant(hall_factory):
    harness = hall_factory(
        [
            TenantSpec("alpha", connector={"type": "fake", "balances": True}),
            TenantSpec("gamma", connector={"type": "fake", "balances": True}),
        ]
    )
    harness.connectors["alpha"].balances["A"] = LegacyBalance("A", 100, AS_OF)
    harness.connectors["gamma"].balances["A"] = LegacyBalance("A", -200, AS_OF)
    assert (look(harness, "A").balance_fen, look(harness, "A", "gamma").balance_fen) == (100, -200)
    assert harness.in_tenant("gamma", lambda: Balance.count()) == 1
