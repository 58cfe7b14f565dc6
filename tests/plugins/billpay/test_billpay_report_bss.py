"""Three-way reconciliation: the hall's payments and refunds against the BSS's own payments table, in the report.

The tenant's connector is sqlbss over a BSS with a payments table (on SQLite,
PostgreSQL or MariaDB); payments go through the fake gateway, the outbox writes
them back by mapping, and the report pairs the hall's ids with the BSS's rows.
"""

from __future__ import annotations

import datetime as dt
import sys
import zoneinfo
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for folder in (HERE.parents[1] / "legacy", HERE.parent / "sqlbss"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from billpay_support import SELLER  # noqa: E402
from payments_support import NUMBER, bss  # noqa: E402, F401  (the fixture)

from core.api.legacy import OutboxEvent  # noqa: E402
from core.api.payments import (  # noqa: E402
    GatewayResult,
    create_intent,
    posted_event_id,
    refund,
    settle,
    start_checkout,
)
from core.api.testing import FakePaymentPlugin, TenantSpec, add_operator  # noqa: E402
from core.legacy.outbox import deliver_due  # noqa: E402
from plugins.billpay.report import build  # noqa: E402

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def today():
    return dt.datetime.now(SHANGHAI).date()


@pytest.fixture
def shop(hall_factory, bss):  # noqa: F811
    plugin = FakePaymentPlugin()
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["billpay"],
                payments={"providers": ["fake"]},
                plugin_settings={"billpay": {**SELLER, "writeback_late_minutes": 30}},
                connector=bss.config,
            )
        ],
        extra_plugins={"fakepay": plugin},
    )
    add_operator(harness, "alpha", "clerk", permissions=["billpay.report", "core.payments.view"])
    clerk = harness.client("alpha")
    clerk.login_operator("clerk")
    return harness, plugin, bss, clerk


def pay(h, plugin, key: str, amounts=(5000,), number=NUMBER) -> str:
    bills = [{"bill_id": f"{key}-{i}", "month": f"2024-0{i + 1}", "amount_fen": a} for i, a in enumerate(amounts)]

    async def go():
        intent = await create_intent(
            h.hall,
            purpose="bill",
            owner="billpay",
            reference=key,
            customer_id="JN00000001",
            amount_fen=sum(amounts),
            provider="fake",
            idempotency_key=key,
            metadata={"number": number, "bills": bills},
        )
        await start_checkout(
            h.hall, intent.id, channel="pc", return_url="http://a.test/r", notify_url="http://a.test/n"
        )
        trade = plugin.gateway("alpha").pay(intent.id)
        await settle(h.hall, "fake", GatewayResult(intent.id, trade.trade_no, "succeeded", sum(amounts), {}))
        return intent.id

    return h.in_tenant("alpha", go)


def deliver(h):
    return h.in_tenant("alpha", deliver_due, h.hall, "alpha", rand=lambda: 1.0)


def age_event(h, intent_id: str, **values):
    """Make an intent's payment.posted event look older (created and delivered two hours ago), or set its status."""
    two_hours_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)
    changes = {OutboxEvent.created_at: two_hours_ago, OutboxEvent.delivered_at: two_hours_ago}
    changes.update({getattr(OutboxEvent, k): v for k, v in values.items()})

    async def go():
        await OutboxEvent.update(changes).where(OutboxEvent.event_id == posted_event_id("alpha", intent_id))

    h.in_tenant("alpha", go)


def report(h) -> dict:
    return h.in_tenant("alpha", build, h.hall, today() - dt.timedelta(days=1), today() + dt.timedelta(days=1))


def bss_findings(found: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in found["mismatches"]:
        if m["kind"].startswith("bss_"):
            out.setdefault(m["kind"], []).append(m.get("reference", ""))
    return out


def local_now_text() -> str:
    return dt.datetime.now(SHANGHAI).strftime("%Y%m%d%H%M%S")


def test_every_bss_mismatch_is_found(shop):
    h, plugin, bss, clerk = shop  # noqa: F811
    ok = pay(h, plugin, "ok", (5830, 6000, 7250))  # three bills: three BSS rows
    missing = pay(h, plugin, "missing")
    differs = pay(h, plugin, "differs", (3000, 4000))
    refunded = pay(h, plugin, "refunded", (8000,))
    waiting = pay(h, plugin, "waiting", number="19999999999")  # the look-up of its account fails: not written
    dead = pay(h, plugin, "dead", number="19999999998")
    fresh = pay(h, plugin, "fresh", number="19999999997")  # failing too, but within the grace period
    assert deliver(h).delivered == 4
    h.in_tenant("alpha", refund, h.hall, refunded, 2000, reason="overcharged", operator="clerk")
    assert deliver(h).delivered == 1  # the refund's negative row
    age_event(h, missing)
    age_event(h, waiting)
    age_event(h, dead, status="dead")
    bss.execute(f"DELETE FROM JF_JFJL WHERE BZ = '{missing}'")
    bss.execute(f"UPDATE JF_JFJL SET JE = 350 WHERE BZ = '{differs}' AND XH = 1")  # 35.00 instead of 30.00
    stranger = "pi" + "f" * 28
    now = local_now_text()
    bss.execute(
        "INSERT INTO JF_JFJL (LSH, ZH, HM, YF, JE, JEY, QD, JFSJ, CZY, LX, XH, BZ) VALUES "
        f"('WT99999999999999999', 'JN00000001', '{NUMBER}', '202403', 100, 10.00, '12', '{now}', 'WT', 'JF', 1, '{stranger}'),"
        f"('GT00000000000000001', 'JN00000002', '18037108038', '202403', 250, 25.00, '01', '{now}', 'ZS', 'JF', 1, ''),"
        f"('GT00000000000000002', 'JN00000002', '18037108038', '202403', 150, 15.00, '01', '{now}', 'ZS', 'JF', 1, '现金'),"
        f"('YH00000000000000003', 'JN00000003', NULL, '202403', 1000, 100.00, '02', '{now}', 'BANK', 'JF', 1, '')"
    )
    found = report(h)
    kinds = bss_findings(found)
    assert kinds == {
        "bss_missing": [missing],
        "bss_writeback_waiting": [waiting],
        "bss_writeback_failed": [dead],
        "bss_amount_differs": [differs],
        "bss_unknown_reference": [stranger],
    }, kinds
    assert ok not in str(found["mismatches"]) and fresh not in str(found["mismatches"])
    by_kind = {m["kind"]: m for m in found["mismatches"] if m["kind"].startswith("bss_")}
    assert (
        "¥75.00 in 2 row(s)" in by_kind["bss_amount_differs"]["reason"]
        and "¥70.00" in by_kind["bss_amount_differs"]["reason"]
    )
    assert "found nothing in YW_HMXX" in by_kind["bss_writeback_waiting"]["reason"]
    assert "after 1 attempt(s)" in by_kind["bss_writeback_failed"]["reason"]
    assert "although the write-back was delivered" in by_kind["bss_missing"]["reason"]
    assert not [m for m in found["mismatches"] if m["kind"] in ("writeback_waiting", "writeback_rejected")]
    summary = found["bss"]
    assert summary["available"] and summary["expected"] == 8  # seven payments and one refund
    assert (summary["matched"], summary["in_flight"]) == (3, 1)  # ok, refunded and its refund; fresh
    assert (summary["elsewhere_count"], summary["elsewhere_fen"]) == (3, 14000)  # the counter and bank rows of today
    assert summary["elsewhere_by_channel"] == {"counter": [2, 4000], "bank": [1, 10000]}

    day = {"day_from": str(today() - dt.timedelta(days=1)), "day_to": str(today() + dt.timedelta(days=1))}
    r = clerk.post("/billpay/console/reports", day)
    page = clerk.get(r.headers["location"])
    assert page.status_code == 200
    assert f'data-kind="bss_unknown_reference" data-payment="{stranger}"' in page.text
    assert f'data-kind="bss_missing" data-payment="{missing}"' in page.text
    assert "BSS 自有缴费记录" in page.text and "3 笔，¥140.00" in page.text  # in the operator's language
    assert "BSS 中没有这笔记录，但回写已于" in page.text
    assert '<tr data-channel="counter"><td>counter</td><td>2</td><td>¥40.00</td></tr>' in page.text
    csv = clerk.get(r.headers["location"] + "/csv").text
    assert stranger in csv and "bss_unknown_reference" in csv


def test_a_clean_day_reports_no_bss_mismatch(shop):
    h, plugin, bss, _ = shop  # noqa: F811
    paid = [pay(h, plugin, f"p{i}", (1000 * (i + 1), 500)) for i in range(3)]
    assert deliver(h).delivered == 3
    h.in_tenant("alpha", refund, h.hall, paid[0], 1500, reason="all of it", operator="clerk")
    deliver(h)
    found = report(h)
    assert bss_findings(found) == {}
    assert (found["bss"]["expected"], found["bss"]["matched"], found["bss"]["in_flight"]) == (4, 4, 0)


def test_an_unreachable_bss_is_said_and_the_outbox_checks_stand_in(shop):
    h, plugin, bss, _ = shop  # noqa: F811
    pay(h, plugin, "p1")
    bss.execute("DROP TABLE JF_JFJL")
    found = report(h)
    assert found["bss"]["available"] is False and found["bss"]["error"]
    assert bss_findings(found) == {}
