"""Limits against abuse, kept in the database: attempts per client address per hour; paid top-ups per number per day
(count and amount). A payment started and never paid blocks nobody, refunds give the room back, a new day starts
afresh, and bill payment is never limited."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from topup_support import build, find, intent_of, pay_at_gateway, start

from core.api.testing import field_errors
from plugins.topup import fulfil, limits
from plugins.topup.tables import TopUp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "billpay"))

MOMENT = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Asia/Shanghai


@pytest.fixture
def fixed_day(monkeypatch):
    """Paid at, and limits counted at, one fixed moment (no test depends on today's date); returns a setter."""
    state = {"now": MOMENT}
    monkeypatch.setattr(fulfil, "now", lambda: state["now"])
    monkeypatch.setattr(limits, "now", lambda: state["now"])
    return state


def test_an_address_gets_so_many_attempts_an_hour_then_waits(hall_factory):
    harness, _, ids = build(hall_factory, {"address_hourly_attempts": 3})
    number = ids["alpha"]["numbers"]["holder"]
    busy = harness.client("alpha", peer="203.0.113.7")
    assert [find(busy, number).status_code for _ in range(3)] == [200, 200, 200]
    refused = find(busy, number)
    assert refused.status_code == 429 and "您所在网络的充值尝试次数过多" in refused.text and "张*明" not in refused.text
    assert start(busy, number).status_code == 429  # paying counts too: no way round the look-up limit
    assert find(busy, "13999999999").status_code == 429  # unknown numbers cost the same
    other = harness.client("alpha", peer="198.51.100.2")
    assert find(other, number).status_code == 200  # another address is not held up
    assert find(harness.client("beta", peer="203.0.113.7"), ids["beta"]["numbers"]["holder"]).status_code == 200
    assert find(busy, "12").status_code == 400  # input that cannot be a number is no look-up: told as before


def test_only_paid_top_ups_count_against_the_number(hall_factory, fixed_day):
    harness, plugin, ids = build(hall_factory, {"number_daily_count": 2})
    client = harness.client("alpha")
    number = ids["alpha"]["numbers"]["holder"]
    started = [intent_of(start(client, number, attempt=f"form-{n:04d}")) for n in range(4)]  # never paid: no block
    pay_at_gateway(plugin, client, started[0])
    pay_at_gateway(plugin, client, started[1])
    refused = start(client, number, attempt="form-9999")
    assert refused.status_code == 409
    assert "今天已充值 2 次" in refused.text and "张*明" in refused.text
    assert start(client, ids["alpha"]["numbers"]["second"], attempt="form-9999").status_code == 303  # per number
    pay_at_gateway(plugin, client, started[2])  # paid anyway (opened before the limit): credited, never refused
    assert limits_today(harness, number).count == 3


def limits_today(harness, number):
    from core.api import zone_of

    return harness.in_tenant("alpha", lambda: limits.paid_today(number, zone_of(harness.tenant("alpha"))))


def test_the_daily_amount_and_a_refund_giving_room_back(hall_factory, fixed_day):
    harness, plugin, ids = build(hall_factory, {"number_daily_count": 10, "number_daily_fen": 100000})
    client = harness.client("alpha")
    number = ids["alpha"]["numbers"]["holder"]
    for fen, form in (("50000", "a-form-01"), ("30000", "a-form-02")):
        pay_at_gateway(plugin, client, intent_of(start(client, number, amount="custom", custom=fen[:-2], attempt=form)))
    refused = start(client, number, amount="custom", custom="300", attempt="a-form-03")
    assert refused.status_code == 400
    assert field_errors(refused.text) == ["号码 13900000001 每日充值上限为 ¥1000.00，今天最多还可充值 ¥200.00。"]
    assert start(client, number, amount="custom", custom="200", attempt="a-form-04").status_code == 303

    cashier = harness.client("alpha")
    cashier.login_operator("alpha-cashier")
    paid = harness.in_tenant("alpha", lambda: TopUp.select())
    biggest = next(r for r in paid if r["amount_fen"] == 50000)
    refund = cashier.post(f"/topup/console/{biggest['intent_id']}/refund", {"amount": "500", "reason": "asked"})
    assert refund.status_code == 303
    assert start(client, number, amount="custom", custom="300", attempt="a-form-05").status_code == 303


def test_a_new_day_starts_afresh(hall_factory, fixed_day):
    harness, plugin, ids = build(hall_factory, {"number_daily_count": 1})
    client = harness.client("alpha")
    number = ids["alpha"]["numbers"]["holder"]
    fixed_day["now"] = dt.datetime(2026, 3, 10, 15, 59, 59, tzinfo=dt.timezone.utc)  # 23:59:59 in Shanghai
    pay_at_gateway(plugin, client, intent_of(start(client, number, attempt="day-form-1")))
    assert start(client, number, attempt="day-form-2").status_code == 409
    fixed_day["now"] = dt.datetime(2026, 3, 10, 16, 0, tzinfo=dt.timezone.utc)  # midnight there: a new day
    assert start(client, number, attempt="day-form-3").status_code == 303


def test_bill_payment_is_never_limited_by_top_ups(hall_factory, fixed_day):
    from billpay_support import SELLER, seed_bills

    from core.api.testing import FakePaymentPlugin, TenantSpec, make_customer, register_customer

    plugin = FakePaymentPlugin()
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["topup", "billpay"],
                payments={"providers": ["fake"]},
                plugin_settings={"topup": {"number_daily_count": 1}, "billpay": SELLER},
            )
        ],
        extra_plugins={"fakepay": plugin},
    )
    customer = make_customer(77, numbers=("13912340077",), phone="13912340077")
    register_customer(harness, "alpha", customer)
    harness.in_tenant("alpha", seed_bills, "13912340077", "alpha")
    visitor = harness.client("alpha")
    pay_at_gateway(plugin, visitor, intent_of(start(visitor, "13912340077", amount="5000", attempt="stranger-1")))
    assert start(visitor, "13912340077", amount="5000", attempt="stranger-2").status_code == 409  # limit reached
    holder = harness.client("alpha")
    holder.login_customer("13912340077")
    paying = holder.post("/billpay/pay", {"number": "13912340077", "mode": "all"})
    assert paying.status_code == 303  # the holder still pays their bills
