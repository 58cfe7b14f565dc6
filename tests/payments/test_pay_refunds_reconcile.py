"""Refunds (partial, full, never more than paid), reconciliation of abandoned payments, the return page, history after switch-off."""

from __future__ import annotations

import datetime as dt

import pytest

from core.hookspecs import hookimpl
from core.jobs import make_runner
from core.legacy.outbox_tables import OutboxEvent
from core.payments import PaymentError, create_intent, get_intent, refund, start_checkout
from core.payments.providers import GatewayResult
from core.payments.reconcile import reconcile_payments
from core.payments.refunds import retry_pending
from core.payments.settle import settle
from core.payments.tables import PaymentIntent, Refund
from core.testing import TenantSpec, make_customer, register_customer
from core.testing.payments import FakePaymentPlugin

import shop_plugin


def open_intent(h, key="k", amount=1000, customer="C00001"):
    async def go():
        intent = await create_intent(
            h.hall,
            purpose="card",
            owner="testshop",
            reference=key,
            customer_id=customer,
            amount_fen=amount,
            provider="fake",
            idempotency_key=key,
            subject="充值卡",
        )
        await start_checkout(
            h.hall, intent.id, channel="pc", return_url="http://alpha.test/r", notify_url="http://alpha.test/n"
        )
        return intent

    return h.in_tenant("alpha", go)


def paid_intent(h, plugin, key="k", amount=1000):
    intent = open_intent(h, key, amount)
    trade = plugin.gateway("alpha").pay(intent.id)
    h.in_tenant("alpha", settle, h.hall, "fake", GatewayResult(intent.id, trade.trade_no, "succeeded", amount, {}))
    return intent


def test_partial_then_full_refund_and_over_refund_is_refused(pay):
    h, plugin = pay
    intent = paid_intent(h, plugin)
    rid, state = h.in_tenant("alpha", refund, h.hall, intent.id, 300, reason="card faulty", operator="clerk")
    assert state == "succeeded" and h.in_tenant("alpha", get_intent, intent.id).state == "partially_refunded"
    with pytest.raises(PaymentError, match="more than what is left"):
        h.in_tenant("alpha", refund, h.hall, intent.id, 701, reason="too much", operator="clerk")
    with pytest.raises(PaymentError):
        h.in_tenant("alpha", refund, h.hall, intent.id, 1.5, reason="float", operator="clerk")
    h.in_tenant("alpha", refund, h.hall, intent.id, 700, reason="the rest", operator="clerk")
    done = h.in_tenant("alpha", get_intent, intent.id)
    assert (done.state, done.refunded_fen) == ("refunded", 1000)
    assert plugin.gateway("alpha").trades[intent.id].refunds == {
        rid: 300,
        **{k: 700 for k in plugin.gateway("alpha").trades[intent.id].refunds if k != rid},
    }
    with pytest.raises(PaymentError):
        h.in_tenant("alpha", refund, h.hall, intent.id, 1, reason="nothing left", operator="clerk")
    unpaid = open_intent(h, "unpaid")
    with pytest.raises(PaymentError, match="not paid"):
        h.in_tenant("alpha", refund, h.hall, unpaid.id, 1, reason="never paid", operator="clerk")


def test_a_refund_while_the_gateway_is_down_stays_pending_and_is_retried_once(pay):
    h, plugin = pay
    intent = paid_intent(h, plugin)
    gateway = plugin.gateway("alpha")
    gateway.down = True
    rid, state = h.in_tenant("alpha", refund, h.hall, intent.id, 1000, reason="outage", operator="clerk")
    assert (
        state == "pending" and h.in_tenant("alpha", get_intent, intent.id).refunded_fen == 1000
    )  # reserved: no second refund fits
    with pytest.raises(PaymentError):
        h.in_tenant("alpha", refund, h.hall, intent.id, 1, reason="double", operator="clerk")
    gateway.down = False
    assert h.in_tenant("alpha", retry_pending, h.hall) == 1
    assert h.in_tenant("alpha", retry_pending, h.hall) == 0
    assert gateway.trades[intent.id].refunds == {rid: 1000}
    assert h.in_tenant("alpha", get_intent, intent.id).state == "refunded"


def test_a_refund_the_gateway_refuses_gives_the_amount_back(pay):
    h, plugin = pay
    intent = paid_intent(h, plugin)
    plugin.gateway("alpha").trades[intent.id].status = "canceled"  # the gateway no longer considers it paid
    _, state = h.in_tenant("alpha", refund, h.hall, intent.id, 500, reason="x", operator="clerk")
    assert state == "failed"
    after = h.in_tenant("alpha", get_intent, intent.id)
    assert (after.state, after.refunded_fen) == ("succeeded", 0)
    assert h.in_tenant("alpha", lambda: Refund.select(Refund.state))[0]["state"] == "failed"


def age(h, intent_id, minutes):
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes)
    h.in_tenant(
        "alpha",
        lambda: PaymentIntent.update({PaymentIntent.updated_at: past, PaymentIntent.created_at: past}).where(
            PaymentIntent.public_id == intent_id
        ),
    )


def test_reconciliation_credits_a_customer_who_closed_the_browser_and_cancels_stale_ones(pay):
    h, plugin = pay
    gateway = plugin.gateway("alpha")
    gone = open_intent(h, "gone")  # paid, browser closed, notification lost
    gateway.pay(gone.id)
    fresh = open_intent(h, "fresh")  # paid a moment ago: the notification is still on its way
    gateway.pay(fresh.id)
    stale = open_intent(h, "stale")  # never paid
    waiting = open_intent(h, "waiting")  # still at the checkout
    age(h, gone.id, 10)
    age(h, stale.id, 600)
    age(h, waiting.id, 30)
    result = h.in_tenant("alpha", reconcile_payments, h.hall, "alpha")
    assert (result.queried, result.credited, result.canceled) == (3, 1, 1)
    states = {i.id: h.in_tenant("alpha", get_intent, i.id).state for i in (gone, fresh, stale, waiting)}
    assert states == {gone.id: "succeeded", fresh.id: "pending", stale.id: "canceled", waiting.id: "pending"}
    assert gateway.trades[stale.id].status == "canceled"  # closed at the gateway before it was canceled here
    again = h.in_tenant("alpha", reconcile_payments, h.hall, "alpha")  # idempotent
    assert again.credited == 0 and again.canceled == 0
    posted = h.in_tenant("alpha", lambda: OutboxEvent.count().where(OutboxEvent.kind == "payment.posted"))
    assert posted == 1


def test_reconciliation_runs_as_a_job_and_waits_out_an_outage(pay):
    h, plugin = pay
    gateway = plugin.gateway("alpha")
    intent = open_intent(h)
    gateway.pay(intent.id)
    age(h, intent.id, 10)
    gateway.down = True
    h.run(make_runner(h.hall).run_now("core.reconcile_payments", "alpha"))
    assert h.in_tenant("alpha", get_intent, intent.id).state == "pending"
    gateway.down = False
    h.run(make_runner(h.hall).run_now("core.reconcile_payments", "alpha"))
    assert h.in_tenant("alpha", get_intent, intent.id).state == "succeeded"


def return_link(h, intent_id: str, tenant: str = "alpha", **kw) -> str:
    from core.payments.return_links import make_token

    return f"/pay/return/{intent_id}/{make_token(h.hall.secret, tenant, intent_id, **kw)}"


def asked_long_ago(h, intent_id: str) -> None:
    """Move the payment's gateway queries back in time (the return page asks at most every 10 s)."""
    from core.payments.tables import PaymentEvent

    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    h.in_tenant(
        "alpha",
        lambda: PaymentEvent.update({PaymentEvent.created_at: long_ago}).where(PaymentEvent.intent_id == intent_id),
    )


def test_the_return_page_trusts_the_gateway_not_the_query_string(pay):
    h, plugin = pay
    intent = open_intent(h)
    client = h.client("alpha")
    page = client.get(return_link(h, intent.id) + "?trade_status=TRADE_SUCCESS&total_fen=1000")
    assert page.status_code == 200 and 'data-state="pending"' in page.text
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"
    plugin.gateway("alpha").pay(intent.id)
    asked_long_ago(h, intent.id)
    page = client.get(return_link(h, intent.id))
    assert 'data-state="succeeded"' in page.text and "10.00" in page.text
    assert h.in_tenant("alpha", get_intent, intent.id).state == "succeeded"
    other = open_intent(h, "other")
    plugin.gateway("alpha").down = True
    assert 'data-state="pending"' in client.get(return_link(h, other.id)).text  # a gateway away is not an error page
    assert client.get(return_link(h, "pi-no-such-payment")).status_code == 404


def test_the_return_page_needs_the_signed_link_or_the_payers_session(pay):
    """A payment's id alone shows nothing: not to a visitor, another customer, another tenant, or after the link expired."""
    h, _ = pay
    intent = open_intent(h)
    anyone = h.client("alpha")
    assert anyone.get(f"/pay/return/{intent.id}").status_code == 404
    good = return_link(h, intent.id)
    for bad in (
        good[:-2] + ("BB" if good.endswith("AA") else "AA"),  # always another token
        return_link(h, intent.id, tenant="beta"),
        return_link(h, "pi-other"),
        return_link(h, intent.id, at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=25)),
        f"/pay/return/{intent.id}/zz.{'A' * 24}",
        f"/pay/return/{intent.id}/",
    ):
        page = anyone.get(bad.replace("pi-other", intent.id) if "pi-other" in bad else bad)
        assert page.status_code == 404 and intent.subject not in page.text, bad
    assert anyone.get(good).status_code == 200
    payer = h.client("alpha")
    register_customer(h, "alpha", make_customer(1))  # legacy id C00001: the intent's customer
    payer.login_customer(make_customer(1).numbers[0].number)
    assert 'data-state="pending"' in payer.get(f"/pay/return/{intent.id}").text
    stranger = h.client("alpha")
    register_customer(h, "alpha", make_customer(2))
    stranger.login_customer(make_customer(2).numbers[0].number)
    assert stranger.get(f"/pay/return/{intent.id}").status_code == 404


def test_reloading_the_return_page_does_not_flood_the_gateway(pay):
    h, plugin = pay
    intent = open_intent(h)
    client = h.client("alpha")
    link = return_link(h, intent.id)
    for _ in range(5):
        assert 'data-state="pending"' in client.get(link).text
    assert plugin.gateway("alpha").calls.count(f"query:{intent.id}") == 1
    asked_long_ago(h, intent.id)
    client.get(link)
    assert plugin.gateway("alpha").calls.count(f"query:{intent.id}") == 2


def test_a_plugin_takes_money_in_a_few_lines_and_history_survives_switching_the_provider_off(hall_factory):
    plugin = FakePaymentPlugin()
    spec = TenantSpec("alpha", plugins=["testshop"], payments={"providers": ["fake"]})
    h = hall_factory([spec], extra_plugins={"fakepay": plugin, "testshop": shop_plugin})
    customer = make_customer(1)
    register_customer(h, "alpha", customer)
    client = h.client("alpha")
    client.login_customer(customer.numbers[0].number)
    r = client.post("/testshop/buy/card50", {"attempt": "1"})
    assert r.status_code == 303 and r.headers["location"].startswith("https://fakepay.test/pc/")
    intent_id = r.headers["location"].rsplit("/", 1)[1]
    assert (
        client.post("/testshop/buy/card50", {"attempt": "1"}).headers["location"] == r.headers["location"]
    )  # a double click: one payment
    gateway = plugin.gateway("alpha")
    gateway.pay(intent_id)
    assert client.post("/pay/notify/fake", gateway.notification(intent_id), csrf=False).text == "success"
    delivered = h.in_tenant(
        "alpha", lambda: OutboxEvent.select(OutboxEvent.payload).where(OutboxEvent.kind == "shop.delivered")
    )
    assert [d["payload"]["customer_id"] for d in delivered] == [customer.legacy_id]
    history = client.get("/pay/history")
    assert intent_id in history.text and "50.00" in history.text and "测试支付" in history.text

    # the tenant switches the provider off, and the provider's plugin is even uninstalled: the history still renders
    h.hall.settings.tenants["alpha"].data.payments.providers.clear()
    h.hall.plugins.unregister("fakepay")
    h.hall.state.pop("core.payments.providers", None)
    c2 = h.client("alpha")
    c2.login_customer(customer.numbers[0].number)
    page = c2.get("/pay/history")
    assert (
        page.status_code == 200 and intent_id in page.text and ">fake<" in page.text.replace("\n", "").replace(" ", "")
    )
    assert c2.post("/pay/notify/fake", gateway.notification(intent_id), csrf=False).status_code == 404


class RefundingShop:
    """The shop, plus a ``payment_refunded`` that records what it was told (or fails, to test the roll-back)."""

    def __init__(self, fail: bool = False):
        self.fail = fail
        self.told: list[tuple[str, str, int]] = []

    @hookimpl
    def payment_succeeded(self, hall, tenant, intent):
        return shop_plugin.payment_succeeded(hall, tenant, intent)

    @hookimpl
    def payment_refunded(self, hall, tenant, intent, refund):
        if self.fail:
            raise RuntimeError("the shop could not revoke the card")
        self.told.append((intent.id, intent.state, refund["amount_fen"]))


def refunded_events(h) -> list[dict]:
    return h.in_tenant(
        "alpha", lambda: OutboxEvent.select().where(OutboxEvent.kind == "payment.refunded").order_by(OutboxEvent.id)
    )


def test_each_refund_tells_the_owner_and_the_legacy_system_once(hall_factory):
    plugin, shop = FakePaymentPlugin(), RefundingShop()
    h = hall_factory(
        [TenantSpec("alpha", plugins=["testshop"], payments={"providers": ["fake"]})],
        extra_plugins={"fakepay": plugin, "testshop": shop},
    )
    intent = paid_intent(h, plugin)
    first, _ = h.in_tenant("alpha", refund, h.hall, intent.id, 300, reason="card faulty", operator="clerk")
    second, _ = h.in_tenant("alpha", refund, h.hall, intent.id, 700, reason="the rest", operator="clerk")
    assert shop.told == [(intent.id, "partially_refunded", 300), (intent.id, "refunded", 700)]
    events = refunded_events(h)
    assert [(e["payload"]["refund_id"], e["payload"]["amount_fen"], e["payload"]["state"]) for e in events] == [
        (first, 300, "partially_refunded"),
        (second, 700, "refunded"),
    ]
    assert all(e["payload"]["intent_id"] == intent.id and e["payload"]["payment_amount_fen"] == 1000 for e in events)
    assert (
        h.in_tenant("alpha", retry_pending, h.hall) == 0 and len(refunded_events(h)) == 2
    )  # nothing pending: nothing again


def test_an_owner_that_fails_on_a_refund_leaves_it_pending_until_it_succeeds(hall_factory):
    plugin, shop = FakePaymentPlugin(), RefundingShop(fail=True)
    h = hall_factory(
        [TenantSpec("alpha", plugins=["testshop"], payments={"providers": ["fake"]})],
        extra_plugins={"fakepay": plugin, "testshop": shop},
    )
    intent = paid_intent(h, plugin)
    rid, state = h.in_tenant("alpha", refund, h.hall, intent.id, 1000, reason="faulty", operator="clerk")
    assert state == "pending" and refunded_events(h) == []
    assert h.in_tenant("alpha", get_intent, intent.id).state == "succeeded"  # rolled back with the refund's record
    shop.fail = False
    assert h.in_tenant("alpha", retry_pending, h.hall) == 1
    assert plugin.gateway("alpha").trades[intent.id].refunds == {rid: 1000}  # asked twice with one id: refunded once
    assert shop.told == [(intent.id, "refunded", 1000)] and len(refunded_events(h)) == 1
