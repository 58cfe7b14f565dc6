"""Automatic resumption on payment (复机): a top-up or bill paid for the account settles its arrears and lifts the
suspension for arrears at once - not at the next hourly run - never a customer's own suspension (报停), once however
often the gateway says so. The clock is the test's, never today's."""

from __future__ import annotations

import datetime as dt

import pytest
from charge_support import UTC, charge_events, charges, make_boxes, notices
from product_support import build

from core.legacy.balances import forget_balance
from core.legacy.ports import LegacyBalance
from core.payments.intents import create_intent
from core.payments.providers import GatewayResult
from core.payments.settle import Outcome, settle
from core.products import changes, inventory, lifecycle
from core.products.charge_tables import BalanceCredit
from core.products.charges import run_charges
from core.products.resumption import balance_credited, on_payment_posted

FEB = dt.datetime(2026, 2, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def prepaid(hall_factory):
    return build(hall_factory, payments=True, products={"charges": {"settle": "balance", "catch_up_months": 1}})


def set_balance(world, fen: int) -> None:
    world.connector().balances["A1"] = LegacyBalance("A1", fen, dt.datetime(2026, 1, 1, tzinfo=UTC), "prepaid")
    world.run(forget_balance, "A1")


def in_arrears_and_suspended(world, clock, count: int = 1) -> list[int]:
    """``count`` boxes whose February went into arrears and that the grace period's end suspended for it."""
    h = world.harness
    tenant = h.tenant("alpha")
    boxes = world.run(make_boxes, count, customer=world.customer, started=FEB)
    set_balance(world, 0)
    clock.set(dt.datetime(2026, 2, 2, 1, 0, tzinfo=UTC))
    assert world.run(run_charges, h.hall, tenant)["arrears"] == count
    clock.set(dt.datetime(2026, 2, 13, 1, 0, tzinfo=UTC))
    world.run(changes.apply_due, h.hall, tenant)
    world.run(lifecycle.run_pending, h.hall, tenant)
    assert {product(world, b)["suspend_reasons"] for b in boxes} == {"arrears"}
    return boxes


def product(world, pid):
    return world.run(inventory.get_product, pid)


def pay(world, amount: int, *, purpose: str = "topup", key: str = "t1", metadata=None) -> tuple:
    h = world.harness
    intent = world.run(
        create_intent,
        h.hall,
        purpose=purpose,
        owner="testprod",
        reference=key,
        customer_id=world.customer,
        amount_fen=amount,
        provider="fake",
        idempotency_key=key,
        metadata=metadata if metadata is not None else {"number": "A1-0", "account": "A1"},
    )
    h.payments.gateway("alpha").pay(intent.id, amount)
    result = GatewayResult(intent.id, "T-" + intent.id, "succeeded", amount, {})
    return intent, world.run(settle, h.hall, "fake", result), result


def test_a_top_up_that_pays_the_arrears_lifts_the_suspension_at_once(prepaid, clock):
    world = prepaid
    (box,) = in_arrears_and_suspended(world, clock)
    intent, outcome, result = pay(world, 5000)  # the BSS still says 0: it has not heard of the top-up yet
    assert outcome is Outcome.CREDITED
    after = product(world, box)
    assert (after["state"], after["suspend_reasons"]) == ("active", "")  # no hourly run needed
    assert [c["state"] for c in world.run(charges)] == ["paid"]
    assert [e["kind"] for e in world.run(charge_events)] == ["charge.debited"]
    assert world.run(notices)[-1] == (box, "2026-02", "resumed")
    # the gateway says it again, the hourly run comes: nothing more
    assert world.run(settle, world.harness.hall, "fake", result) is Outcome.DUPLICATE
    h = world.harness
    assert world.run(run_charges, h.hall, h.tenant("alpha"))["settled"] == 0
    assert len(world.run(charge_events)) == 1
    assert [k for _, _, k in world.run(notices)].count("resumed") == 1


def test_the_customers_own_suspension_stays(prepaid, clock):
    world = prepaid
    h = world.harness
    (box,) = in_arrears_and_suspended(world, clock)
    world.run(lifecycle.act, h.hall, h.tenant("alpha"), box, "suspend", key="own", params={"reason": "customer"})
    pay(world, 1000)
    after = product(world, box)
    assert (after["state"], after["suspend_reasons"]) == ("suspended", "customer")  # 报停 is the customer's to lift


def test_a_payment_that_does_not_cover_it_changes_nothing_and_other_payments_are_not_credits(prepaid, clock):
    world = prepaid
    boxes = in_arrears_and_suspended(world, clock, count=2)
    pay(world, 999, key="small")
    assert {product(world, b)["state"] for b in boxes} == {"suspended"}
    pay(world, 5000, purpose="card", key="card")  # a card bought is not money on the account
    assert {c["state"] for c in world.run(charges)} == {"arrears"}
    pay(world, 501, key="rest")  # 999 + 501 pays the first, oldest first; the second stays owed
    states = sorted(c["state"] for c in world.run(charges))
    assert states == ["arrears", "paid"]
    assert sorted(product(world, b)["state"] for b in boxes) == ["active", "suspended"]


def test_credits_count_once_however_often_they_are_heard_of(prepaid, clock):
    world = prepaid
    h = world.harness
    tenant = h.tenant("alpha")
    boxes = in_arrears_and_suspended(world, clock, count=2)
    intent, _, _ = pay(world, 1000)
    assert sorted(c["state"] for c in world.run(charges)) == ["arrears", "paid"]
    assert world.run(on_payment_posted, h.hall, tenant, intent) == 0  # heard of twice: counted once
    assert world.run(balance_credited, h.hall, tenant, "A1", 1000, key=intent.id) == 0
    assert len(world.run(lambda: BalanceCredit.select())) == 1
    # another credit, from elsewhere (a connector crediting the balance itself), under its own key
    assert world.run(balance_credited, h.hall, tenant, "A1", 1000, key="bss-credit-1") == 1
    assert {product(world, b)["state"] for b in boxes} == {"active"}
