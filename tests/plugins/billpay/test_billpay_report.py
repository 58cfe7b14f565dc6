"""The reconciliation report: every kind of disagreement between gateway, hall ledger and legacy write-back is listed."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from billpay_support import customer_client

from core.api.legacy import OutboxEvent
from core.api.payments import (
    GatewayResult,
    PaymentIntent,
    Refund,
    create_intent,
    posted_event_id,
    settle,
    start_checkout,
)
from core.api.testing import field_errors
from core.jobs import make_runner
from core.legacy.outbox import deliver_due
from plugins.billpay.report import build
from plugins.billpay.tables import BillPayment, ReconReport

TODAY = lambda: dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()  # noqa: E731


def payment(h, plugin, key, amount=1000, *, pay=True, tid="alpha"):
    """A bill payment of one (made-up) bill, checked out, paid at the gateway and settled when ``pay``."""

    async def go():
        intent = await create_intent(
            h.hall,
            purpose="bill",
            owner="billpay",
            reference=key,
            customer_id="C00080",
            amount_fen=amount,
            provider="fake",
            idempotency_key=key,
            metadata={"number": "13911110001", "bills": [{"bill_id": key, "month": "2024-05", "amount_fen": amount}]},
        )
        await start_checkout(
            h.hall, intent.id, channel="pc", return_url="http://alpha.test/r", notify_url="http://alpha.test/n"
        )
        if pay:
            trade = plugin.gateway(tid).pay(intent.id)
            await settle(h.hall, "fake", GatewayResult(intent.id, trade.trade_no, "succeeded", amount, {}))
        return intent.id

    return h.in_tenant(tid, go)


def findings(h, tid="alpha") -> dict[str, list[str]]:
    # yesterday too: a payment made just before midnight in Beijing is still in the report run just after it
    report = h.in_tenant(tid, build, h.hall, TODAY() - dt.timedelta(days=1), TODAY())
    out: dict[str, list[str]] = {}
    for m in report["mismatches"]:
        out.setdefault(m["intent_id"], []).append(m["kind"])
    return out


def deliver(h, tid="alpha"):
    return h.in_tenant(tid, deliver_due, h.hall, tid)


def update(h, table, values, where, tid="alpha"):
    async def go():
        await table.update(values).where(where)

    h.in_tenant(tid, go)


def test_every_mismatch_kind_is_found_and_agreement_is_not(world):
    h, plugin, _ = world
    gateway = plugin.gateway("alpha")
    ok = payment(h, plugin, "ok")
    unpaid = payment(h, plugin, "unpaid", pay=False)  # open, not paid anywhere: nothing to say
    lost = payment(h, plugin, "lost", pay=False)
    gateway.pay(lost)  # paid at the gateway; the notification never came
    reversed_ = payment(h, plugin, "reversed")
    other_amount = payment(h, plugin, "amount", 2000)
    closed = payment(h, plugin, "closed")
    missing = payment(h, plugin, "missing")
    rejected = payment(h, plugin, "rejected")
    late = payment(h, plugin, "late")
    unfulfilled = payment(h, plugin, "unfulfilled")
    stale_refund = payment(h, plugin, "stalerefund")
    deliver(h)
    gateway.trades[reversed_].status = "pending"
    gateway.trades[other_amount].amount_fen = 1999
    gateway.trades[
        closed
    ].status = "canceled"  # refunded in full at the gateway (Alipay closes the trade): not in the hall
    update(
        h,
        OutboxEvent,
        {OutboxEvent.status: "dead", OutboxEvent.last_error: "ORA-00001"},
        OutboxEvent.event_id == posted_event_id("alpha", rejected),
    )
    update(
        h,
        OutboxEvent,
        {
            OutboxEvent.status: "pending",
            OutboxEvent.delivered_at: None,
            OutboxEvent.created_at: dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=61),
        },
        OutboxEvent.event_id == posted_event_id("alpha", late),
    )
    h.in_tenant("alpha", lambda: OutboxEvent.delete().where(OutboxEvent.event_id == posted_event_id("alpha", missing)))
    h.in_tenant("alpha", lambda: BillPayment.delete().where(BillPayment.intent_id == unfulfilled))
    gateway.down = True
    from core.api.payments import refund

    assert h.in_tenant("alpha", refund, h.hall, stale_refund, 500, reason="r", operator="op")[1] == "pending"
    gateway.down = False
    update(
        h,
        Refund,
        {Refund.created_at: dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)},
        Refund.intent_id == stale_refund,
    )
    found = findings(h)
    assert found == {
        lost: ["paid_at_gateway_not_in_hall"],
        reversed_: ["paid_in_hall_not_at_gateway"],
        other_amount: ["amount_differs"],
        closed: ["refund_mismatch"],
        missing: ["writeback_missing"],
        rejected: ["writeback_rejected"],
        late: ["writeback_waiting"],
        unfulfilled: ["not_fulfilled"],
        stale_refund: ["refund_mismatch"],
    }
    assert ok not in found and unpaid not in found
    update(
        h, PaymentIntent, {PaymentIntent.refunded_fen: 300}, PaymentIntent.public_id == ok
    )  # the intent's count disagrees with its refunds
    assert findings(h)[ok] == ["refund_mismatch"]


def test_a_waiting_write_back_is_only_late_after_the_setting(hall_factory):
    from billpay_support import build as build_world

    h, plugin, _ = build_world(hall_factory, {"writeback_late_minutes": 5})
    late = payment(h, plugin, "late")
    assert late not in findings(h)  # just paid: the write-back has time
    update(
        h,
        OutboxEvent,
        {OutboxEvent.created_at: dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=6)},
        OutboxEvent.event_id == posted_event_id("alpha", late),
    )
    assert findings(h)[late] == ["writeback_waiting"]
    deliver(h)
    assert late not in findings(h)


def test_an_unreachable_gateway_is_reported_not_a_failure(world):
    h, plugin, _ = world
    paid = payment(h, plugin, "p")
    deliver(h)
    plugin.gateway("alpha").down = True
    assert findings(h) == {paid: ["gateway_unavailable"]}


def test_operators_run_the_report_read_it_and_download_csv(world):
    h, plugin, ids = world
    lost = payment(h, plugin, "lost", pay=False)
    plugin.gateway("alpha").pay(lost)
    clerk = h.client("alpha")
    clerk.login_operator("alpha-clerk")
    assert clerk.get("/billpay/console/reports").status_code == 200
    today, yesterday = str(TODAY()), str(TODAY() - dt.timedelta(days=1))  # two days: no flake at midnight
    r = clerk.post("/billpay/console/reports", {"day_from": yesterday, "day_to": today})
    assert r.status_code == 303
    page = clerk.get(r.headers["location"])
    assert page.status_code == 200 and f'data-kind="paid_at_gateway_not_in_hall" data-payment="{lost}"' in page.text
    assert "支付平台显示已支付（¥10.00，交易号" in page.text  # the reason in the operator's language
    csv = clerk.get(r.headers["location"] + "/csv")
    assert csv.status_code == 200 and "paid_at_gateway_not_in_hall" in csv.text and lost in csv.text
    assert "The gateway says paid (¥10.00, trade" in csv.text
    assert r.headers["location"].rsplit("/", 1)[-1] in clerk.get("/billpay/console/reports").text
    for form in (
        {"day_from": "2024-02-30", "day_to": today},
        {"day_from": today, "day_to": "2020-01-01"},
        {"day_from": "2024-01-01", "day_to": "2024-12-31"},
        {},
    ):
        bad = clerk.post("/billpay/console/reports", form)
        assert bad.status_code == 400 and field_errors(bad.text), form
    assert clerk.get("/billpay/console/reports/99999").status_code == 404
    plain = h.client("alpha")
    plain.login_operator("alpha-plain")
    assert plain.get("/billpay/console/reports").status_code == 403
    assert plain.post("/billpay/console/reports", {"day_from": today, "day_to": today}).status_code == 403
    assert customer_client(h, ids).get("/billpay/console/reports", follow_redirects=False).status_code in (
        302,
        303,
        401,
        403,
    )


def test_the_nightly_job_stores_yesterdays_report_once(world):
    h, _, _ = world
    runner = make_runner(h.hall)
    h.run(runner.run_now("billpay.nightly_report", "alpha"))
    h.run(runner.run_now("billpay.nightly_report", "alpha"))
    rows = h.in_tenant("alpha", lambda: ReconReport.select())
    assert len(rows) == 1 and rows[0]["trigger"] == "nightly" and rows[0]["day_from"] == TODAY() - dt.timedelta(days=1)
