"""Charges from the prepaid balance and their arrears: reminder, grace, final warning, suspension for arrears with a
date the customer sees, resumption once paid - never undoing the customer's own suspension - each message once."""

from __future__ import annotations

import datetime as dt

import pytest
from charge_support import UTC, charge_events, charges, make_boxes, notices
from product_support import build

from core.legacy.balances import forget_balance
from core.legacy.ports import LegacyBalance
from core.notify.tables import Message
from core.products import changes, inventory, lifecycle
from core.products.charges import run_charges
from core.products.tables import ProductChange


@pytest.fixture
def prepaid(hall_factory):
    return build(hall_factory, products={"charges": {"settle": "balance"}})


def run(world):
    h = world.harness
    return world.run(run_charges, h.hall, h.tenant("alpha"))


def set_balance(world, fen: int) -> None:
    world.connector().balances["A1"] = LegacyBalance("A1", fen, dt.datetime(2026, 1, 1, tzinfo=UTC), "prepaid")
    world.run(forget_balance, "A1")


def apply_due(world):
    h = world.harness
    tenant = h.tenant("alpha")
    world.run(changes.apply_due, h.hall, tenant)
    world.run(lifecycle.run_pending, h.hall, tenant)


def product(world, pid):
    return world.run(inventory.get_product, pid)


def test_a_balance_that_covers_the_fee_is_debited_once_and_never_credited(prepaid, clock):
    world = prepaid
    a, b = world.run(make_boxes, 2, customer=world.customer, started=dt.datetime(2026, 2, 1, 0, 0, tzinfo=UTC))
    set_balance(world, 1500)  # covers one box, not both
    clock.set(dt.datetime(2026, 2, 2, 1, 0, tzinfo=UTC))
    result = run(world)
    assert (result["charged"], result["arrears"]) == (1, 1)
    got = {c["product_id"]: c for c in world.run(charges)}
    assert (got[a]["state"], got[a]["settle"]) == ("debited", "balance")
    assert (got[b]["state"], got[b]["reason"]) == ("arrears", "balance_low")
    events = world.run(charge_events)
    assert [e["kind"] for e in events] == ["charge.debited"]
    assert all(c["amount_fen"] > 0 for c in got.values())  # a debit, never a credit
    # the BSS has not applied the debit yet (its figure still says 1500): the next run does not spend it again
    assert run(world)["settled"] == 0
    assert world.run(charges)[1]["state"] == "arrears"


def test_arrears_grace_warning_suspension_and_resumption_on_payment(prepaid, clock):
    world = prepaid
    h = world.harness
    tenant = h.tenant("alpha")
    (box,) = world.run(make_boxes, 1, customer=world.customer, started=dt.datetime(2026, 2, 1, 0, 0, tzinfo=UTC))
    set_balance(world, 300)
    clock.set(dt.datetime(2026, 2, 2, 1, 0, tzinfo=UTC))
    assert run(world)["arrears"] == 1
    charge = world.run(charges)[0]
    assert charge["suspend_at"] == dt.datetime(2026, 2, 12, 1, 0, tzinfo=UTC)  # ten days' grace
    booked = world.run(inventory.pending_changes, [box])[box]
    assert [(c["kind"], c["changes"]["reason"], c["effective_at"]) for c in booked] == [
        ("suspend", "arrears", charge["suspend_at"])
    ]  # the customer sees the suspension and its date on My products
    assert run(world)["arrears"] == 0  # charged once, told once
    assert world.run(notices) == [(box, "2026-02", "arrears")]
    # two days before: the final warning, once
    clock.set(dt.datetime(2026, 2, 10, 2, 0, tzinfo=UTC))
    run(world)
    run(world)
    assert world.run(notices)[-1] == (box, "2026-02", "warning") and len(world.run(notices)) == 2
    # the day comes: suspended for arrears
    clock.set(dt.datetime(2026, 2, 12, 2, 0, tzinfo=UTC))
    apply_due(world)
    suspended = product(world, box)
    assert (suspended["state"], suspended["suspend_reasons"]) == ("suspended", "arrears")
    run(world)
    assert world.run(notices)[-1] == (box, "2026-02", "suspended")
    # meanwhile the customer pauses it themselves (报停)
    world.run(lifecycle.act, h.hall, tenant, box, "suspend", key="own", params={"reason": "customer"})
    assert product(world, box)["suspend_reasons"] == "arrears,customer"
    # a top-up that covers it: paid, told to the BSS once, the arrears lifted - the customer's own pause stays
    set_balance(world, 5000)
    clock.set(dt.datetime(2026, 2, 13, 2, 0, tzinfo=UTC))
    assert run(world)["settled"] == 1
    assert run(world)["settled"] == 0
    paid = world.run(charges)[0]
    assert paid["state"] == "paid" and paid["settled_at"] is not None
    assert [e["kind"] for e in world.run(charge_events)] == ["charge.debited"]
    after = product(world, box)
    assert (after["state"], after["suspend_reasons"]) == ("suspended", "customer")
    assert world.run(notices)[-1] == (box, "2026-02", "resumed")
    # the customer resumes: in service
    world.run(lifecycle.act, h.hall, tenant, box, "resume", key="own-back", params={"reason": "customer"})
    assert product(world, box)["state"] == "active"
    messages = world.run(lambda: Message.select().where(Message.purpose == "product_charge"))
    assert len(messages) == 4 and {m["recipient"] for m in messages} == {"cust@example.com"}


def test_paid_within_the_grace_period_withdraws_the_booked_suspension(prepaid, clock):
    world = prepaid
    (box,) = world.run(make_boxes, 1, customer=world.customer, started=dt.datetime(2026, 2, 1, 0, 0, tzinfo=UTC))
    set_balance(world, 0)
    clock.set(dt.datetime(2026, 2, 2, 1, 0, tzinfo=UTC))
    run(world)
    set_balance(world, 1000)
    clock.set(dt.datetime(2026, 2, 5, 1, 0, tzinfo=UTC))
    assert run(world)["settled"] == 1
    assert world.run(inventory.pending_changes, [box]) == {}
    withdrawn = world.run(lambda: ProductChange.select().where(ProductChange.product_id == box))
    assert [c["state"] for c in withdrawn] == ["cancelled"]
    clock.set(dt.datetime(2026, 2, 20, 1, 0, tzinfo=UTC))
    apply_due(world)
    assert product(world, box)["state"] == "active"  # never suspended
    assert [k for _, _, k in world.run(notices)] == ["arrears"]  # no resumption message for what was never suspended


def test_a_reminder_before_the_month_when_the_balance_will_not_cover_it(prepaid, clock):
    world = prepaid
    (box,) = world.run(make_boxes, 1, customer=world.customer, started=dt.datetime(2026, 1, 5, 0, 0, tzinfo=UTC))
    set_balance(world, 5000)
    clock.set(dt.datetime(2026, 1, 20, 1, 0, tzinfo=UTC))
    run(world)  # January debited, 4000 left in this run's book
    set_balance(world, 400)
    clock.set(dt.datetime(2026, 1, 25, 1, 0, tzinfo=UTC))  # 1 February (Shanghai) is more than five days away
    run(world)
    assert world.run(notices) == []
    clock.set(dt.datetime(2026, 1, 28, 1, 0, tzinfo=UTC))
    run(world)
    run(world)
    assert world.run(notices) == [(box, "2026-02", "reminder")]
    body = world.run(lambda: Message.select().where(Message.purpose == "product_charge").first())["body_text"]
    assert "10.00" in body


def test_an_unknown_balance_is_arrears_not_a_guess(prepaid, clock):
    world = prepaid
    world.run(make_boxes, 1, customer=world.customer)
    world.connector().down = True
    clock.set(dt.datetime(2026, 1, 20, 1, 0, tzinfo=UTC))
    assert run(world)["arrears"] == 1
    assert world.run(charges)[0]["reason"] == "balance_unknown"
