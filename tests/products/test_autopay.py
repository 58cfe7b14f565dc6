"""Automatic payment (代扣): signing through the Alipay sandbox, forged notifications, charging the agreement in the
charge run before the arrears, refusals into arrears, cancelled agreements unused, and concurrent runs that charge
each product and month once. SQLite, or PostgreSQL with HALL_TEST_DB=postgres. The clock is the test's."""

from __future__ import annotations

import datetime as dt

import pytest
from autopay_support import APP_ID, agreement_row, autopay_world, sign, sign_in_sandbox, start_sandbox
from charge_support import UTC, charge_events, charges, make_boxes
from product_support import MOBILE
from test_balance_race import concurrently, set_balance

from core.legacy.outbox_tables import OutboxEvent
from core.payments.agreements import cancel_agreement
from core.payments.tables import Agreement, PaymentIntent
from core.products.charge_tables import BalanceCredit, ChargeRun
from core.products.charges import charge_one, periods_to_charge, run_charges
from core.products.settings import products_settings
from core.products.spending import BalanceBook
from core.testing import add_operator

FEB = dt.datetime(2026, 2, 1, 0, 0, tzinfo=UTC)
MOMENT = dt.datetime(2026, 2, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("autopay-sandbox"))
    yield running
    running.stop()


@pytest.fixture
def world(hall_factory, sandbox):
    return autopay_world(hall_factory, sandbox)


def intents(world) -> list[dict]:
    return world.run(
        lambda: PaymentIntent.select().where(PaymentIntent.purpose == "autopay").order_by(PaymentIntent.id)
    )


def posted(world) -> list[dict]:
    return world.run(lambda: OutboxEvent.select().where(OutboxEvent.kind == "payment.posted"))


def sandbox_trades(sandbox, world) -> list[dict]:
    ids = {i["public_id"] for i in intents(world)}
    return [t for t in sandbox.store.latest(500) if t["out_trade_no"] in ids]


def test_the_customer_signs_in_the_sandbox_sees_it_active_and_cancels_it(world, sandbox):
    h = world.harness
    client = h.client("alpha")
    client.login_customer(MOBILE)
    page = client.get("/account/autopay")
    assert page.status_code == 200 and f'data-account="{MOBILE}"' in page.text
    started = client.post("/account/autopay/sign", {"account": MOBILE, "provider": "alipay"})
    assert started.status_code == 303 and started.headers["location"].startswith(sandbox.gateway + "?")
    [row] = world.run(lambda: Agreement.select())
    assert (row["state"], row["account_legacy_id"], row["customer_id"]) == ("pending", MOBILE, world.customer)
    location, form = sign_in_sandbox(sandbox, started.headers["location"])
    assert location.startswith("http://alpha.test/account/autopay")
    assert form["notify_type"] == "dut_user_sign" and form["external_agreement_no"] == row["public_id"]

    forged = client.post("/pay/agreement-notify/alipay", form | {"agreement_no": "20260000999"}, csrf=False)
    assert forged.text == "fail" and agreement_row(world, row["public_id"])["state"] == "pending"
    answer = client.post("/pay/agreement-notify/alipay", form, csrf=False)
    assert (answer.status_code, answer.text) == (200, "success")
    signed = agreement_row(world, row["public_id"])
    assert signed["state"] == "active" and signed["agreement_no"] == form["agreement_no"]
    assert client.post("/pay/agreement-notify/alipay", form, csrf=False).text == "success"  # Alipay's retry: no change
    shown = client.get("/account/autopay").text
    assert 'data-state="active"' in shown and form["agreement_no"] in shown

    add_operator(h, "alpha", "wang", ["core.products.view", "core.customers.view"])
    operator = h.client("alpha")
    operator.login_operator("wang")
    view = operator.get(f"/console/customers/{world.customer}")
    assert (
        view.status_code == 200
        and 'class="data customer-agreements"' in view.text
        and form["agreement_no"] in view.text
    )

    gone = client.post(f"/account/autopay/{row['public_id']}/cancel")
    assert gone.status_code == 303
    assert agreement_row(world, row["public_id"])["state"] == "cancelled"
    assert sandbox.agreements.get(APP_ID, row["public_id"])["status"] == "UNSIGN"
    actions = [a["action"] for a in world.run(lambda: _audit())]
    assert {"agreement.sign", "agreement.notification_refused", "agreement.signed", "agreement.cancel"} <= set(actions)


async def _audit():
    from core.audit import AuditLog as Log

    return await Log.select().where(Log.object_type == "agreement").order_by(Log.id)


def test_a_forged_or_foreign_agreement_notification_changes_nothing(world, sandbox):
    h = world.harness
    client = h.client("alpha")
    client.login_customer(MOBILE)
    started = client.post("/account/autopay/sign", {"account": MOBILE, "provider": "alipay"})
    _, form = sign_in_sandbox(sandbox, started.headers["location"])
    for bad in (
        form | {"sign": form["sign"][:-4] + "AAAA"},
        form | {"app_id": "2021000000000009"},
        form | {"status": "UNSIGN"},
        {k: v for k, v in form.items() if k != "sign"},
    ):
        assert client.post("/pay/agreement-notify/alipay", bad, csrf=False).text == "fail"
    [row] = world.run(lambda: Agreement.select())
    assert row["state"] == "pending" and row["agreement_no"] == ""


def test_a_month_the_balance_does_not_cover_is_charged_to_the_agreement_once(world, sandbox, clock):
    boxes = world.run(make_boxes, 2, started=FEB, customer=world.customer)
    set_balance(world, "A1", 500)
    sign(world, sandbox, "A1")
    clock.set(MOMENT)
    h = world.harness
    result = world.run(run_charges, h.hall, h.tenant("alpha"))
    assert (result["autopaid"], result["arrears"], result["charged"]) == (2, 0, 0)
    got = world.run(charges)
    assert [(c["product_id"], c["state"], c["amount_fen"]) for c in got] == [(b, "debited", 1000) for b in boxes]
    paid = intents(world)
    assert [i["state"] for i in paid] == ["succeeded"] * 2
    assert {c["intent_id"] for c in got} == {i["public_id"] for i in paid}
    assert sorted(i["idempotency_key"] for i in paid) == sorted(f"charge:alpha:{b}:2026-02" for b in boxes)
    assert len(posted(world)) == 2 and [e["kind"] for e in world.run(charge_events)] == ["charge.debited"] * 2
    assert len(sandbox_trades(sandbox, world)) == 2
    credits = world.run(lambda: BalanceCredit.select())
    assert sorted(c["intent_id"] for c in credits) == sorted(i["public_id"] for i in paid)
    again = world.run(run_charges, h.hall, h.tenant("alpha"))
    assert again["autopaid"] == 0 and len(intents(world)) == 2 and len(sandbox_trades(sandbox, world)) == 2


def test_a_refused_agreement_charge_goes_into_arrears_and_is_shown_on_the_run(world, sandbox, clock):
    [box] = world.run(make_boxes, 1, started=FEB, customer=world.customer)
    set_balance(world, "A1", 0)
    agreement = sign(world, sandbox, "A1")
    sandbox.agreements.refuse(agreement["agreement_no"])
    clock.set(MOMENT)
    h = world.harness
    result = world.run(run_charges, h.hall, h.tenant("alpha"))
    assert (result["autopaid"], result["arrears"]) == (0, 1)
    [charge] = world.run(charges)
    assert (charge["state"], charge["reason"]) == ("arrears", "autopay_refused") and charge["suspend_change_id"]
    [intent] = intents(world)
    assert intent["state"] == "failed" and not posted(world)
    run = world.run(lambda: ChargeRun.select().order_by(ChargeRun.id, ascending=False).first())
    refused = (
        run["autopay_refused"]
        if isinstance(run["autopay_refused"], list)
        else __import__("json").loads(run["autopay_refused"])
    )
    assert refused[0]["product"] == box and "BALANCE_NOT_ENOUGH" in refused[0]["detail"]
    add_operator(h, "alpha", "wang", ["core.products.view"])
    operator = h.client("alpha")
    operator.login_operator("wang")
    page = operator.get(f"/console/charge-runs/{run['id']}")
    assert page.status_code == 200 and 'class="autopay-refused"' in page.text and "BALANCE_NOT_ENOUGH" in page.text
    sandbox.agreements.refuse(agreement["agreement_no"], "")
    world.run(run_charges, h.hall, h.tenant("alpha"))  # the refused month is not sent to the provider again
    assert [i["state"] for i in intents(world)] == ["failed"] and not sandbox_trades(sandbox, world)


def test_a_cancelled_agreement_is_not_charged(world, sandbox, clock):
    world.run(make_boxes, 1, started=FEB, customer=world.customer)
    set_balance(world, "A1", 0)
    agreement = sign(world, sandbox, "A1")
    h = world.harness
    world.run(cancel_agreement, h.hall, agreement["public_id"], actor="C", actor_kind="customer")
    clock.set(MOMENT)
    result = world.run(run_charges, h.hall, h.tenant("alpha"))
    assert (result["autopaid"], result["arrears"]) == (0, 1)
    assert [c["reason"] for c in world.run(charges)] == ["balance_low"] and not intents(world)


def test_concurrent_runs_charge_each_product_once_from_balance_or_agreement(world, sandbox, clock):
    boxes = world.run(make_boxes, 6, started=FEB, customer=world.customer)
    set_balance(world, "A1", 2500)  # two fees from the balance, the other four by agreement
    sign(world, sandbox, "A1")
    clock.set(MOMENT)
    h = world.harness
    tenant = h.tenant("alpha")
    results = concurrently(world, lambda n: run_charges(h.hall, tenant), 4)
    assert all(r["failed"] == 0 for r in results), results
    got = world.run(charges)
    assert sorted(c["product_id"] for c in got) == boxes  # each product once
    assert sorted(c["state"] for c in got) == ["debited"] * 6
    paid = intents(world)
    assert {i["state"] for i in paid} == {"succeeded"}  # every agreement charge taken once, posted once
    assert len(sandbox_trades(sandbox, world)) == len(paid) == len(posted(world)) >= 4
    assert len({i["idempotency_key"] for i in paid}) == len(paid)  # never two payments of one product and month
    by_agreement = [c for c in got if c["intent_id"]]
    assert len(by_agreement) == sum(r["autopaid"] for r in results) <= len(paid)
    # what the balance gave: the debits less the agreement's payments (one that lost a race to the balance
    # stays on the balance as a credit) - never more than the 2500 there was
    credits = sum(c["amount_fen"] for c in world.run(lambda: BalanceCredit.select()))
    assert credits == sum(i["amount_fen"] for i in paid)
    assert 6000 - credits <= 2500
    events = world.run(charge_events)
    assert len(events) == 6 == len({e["event_id"] for e in events})


def test_one_product_charged_by_four_workers_at_once_is_paid_once(world, sandbox, clock):
    [box] = world.run(make_boxes, 1, started=FEB, customer=world.customer)
    set_balance(world, "A1", 0)
    sign(world, sandbox, "A1")
    clock.set(MOMENT)
    h = world.harness
    tenant = h.tenant("alpha")
    period = periods_to_charge(MOMENT, tenant, products_settings(h.hall, tenant).charges)[-1]
    from core.products.charging import chargeable

    [product] = world.run(chargeable, period[1], period[2])
    outcomes = concurrently(
        world, lambda n: charge_one(h.hall, tenant, product, period, None, BalanceBook(h.hall, tenant)), 4
    )
    assert outcomes.count("autopaid") == 1 and set(outcomes) <= {"autopaid", None}, outcomes
    [charge] = world.run(charges)
    assert charge["state"] == "debited" and charge["product_id"] == box
    assert len(intents(world)) == 1 and len(sandbox_trades(sandbox, world)) == 1 and len(posted(world)) == 1


def test_a_charge_whose_answer_was_lost_goes_into_arrears_and_the_late_notification_pays_them_once(
    world, sandbox, clock
):
    from plugins.alipay.sandbox.agreements import LOST

    [box] = world.run(make_boxes, 1, started=FEB, customer=world.customer)
    set_balance(world, "A1", 0)
    agreement = sign(world, sandbox, "A1")
    sandbox.agreements.refuse(agreement["agreement_no"], LOST)  # Alipay takes the money; the hall hears nothing
    clock.set(MOMENT)
    h = world.harness
    result = world.run(run_charges, h.hall, h.tenant("alpha"))
    assert (result["autopaid"], result["arrears"]) == (0, 1)
    [charge] = world.run(charges)
    assert (charge["state"], charge["reason"]) == ("arrears", "autopay_pending") and charge["suspend_change_id"]
    [intent] = intents(world)
    assert intent["state"] == "pending"
    [trade] = sandbox_trades(sandbox, world)
    [note] = sandbox.store.notifications(APP_ID, intent["public_id"])
    client = h.client("alpha")
    for _ in range(2):  # Alipay's notification, and its retry
        assert client.post("/pay/notify/alipay", note["form"], csrf=False).text == "success"
    [charge] = world.run(charges)
    assert (charge["state"], charge["intent_id"], charge["product_id"]) == ("paid", intent["public_id"], box)
    from core.products.tables import ProductChange

    change = world.run(lambda: ProductChange.select().where(ProductChange.id == charge["suspend_change_id"]).first())
    assert change["state"] == "cancelled"  # the booked suspension withdrawn
    assert len(posted(world)) == 1 and [e["kind"] for e in world.run(charge_events)] == ["charge.debited"]
    world.run(run_charges, h.hall, h.tenant("alpha"))
    assert len(intents(world)) == 1 and len(sandbox_trades(sandbox, world)) == 1 == len([trade])


def test_an_agreement_sent_to_sign_and_never_signed_expires_and_is_not_charged(world, sandbox, clock):
    from core.payments.agreements import SIGN_WITHIN, expire_stale, start_signing
    from core.payments.model import now

    h = world.harness

    async def start():
        return await start_signing(
            h.hall,
            customer_id=world.customer,
            account="A1",
            provider_id="alipay",
            channel="wap",
            return_url=lambda _id: "http://alpha.test/account/autopay",
            notify_url="http://alpha.test/pay/agreement-notify/alipay",
        )

    row, _ = world.run(start)
    assert world.run(expire_stale, now() - SIGN_WITHIN) == 0  # not yet
    assert world.run(expire_stale, now() + SIGN_WITHIN) == 1
    assert agreement_row(world, row["public_id"])["state"] == "expired"
    world.run(make_boxes, 1, started=FEB, customer=world.customer)
    set_balance(world, "A1", 0)
    clock.set(MOMENT)
    assert world.run(run_charges, h.hall, h.tenant("alpha"))["arrears"] == 1 and not intents(world)
