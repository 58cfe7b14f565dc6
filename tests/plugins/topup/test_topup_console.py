"""The console: top-ups found by number, state and day in the tenant's zone, paged; one top-up; refunds need topup.refund,
go through the core's refund service, are audited and reach the top-up and the legacy system; tenants stay apart."""

from __future__ import annotations

import datetime as dt
import re

from topup_support import build, intent_of, pay_at_gateway, start

from core.api.legacy import OutboxEvent
from core.api.testing import field_errors
from core.audit import AuditLog
from plugins.topup.tables import TopUp


def rows_of(html: str) -> list[str]:
    return re.findall(r'<tr class="topup-row" data-payment="(\w+)"', html)


def paid_topups(harness, plugin, ids, tid="alpha"):
    client = harness.client(tid)
    numbers = ids[tid]["numbers"]
    made = {
        "paid": intent_of(start(client, numbers["holder"], amount="5000", attempt="c-form-01")),
        "open": intent_of(start(client, numbers["second"], amount="3000", attempt="c-form-02")),
    }
    pay_at_gateway(plugin, client, made["paid"], tid)
    return made


def test_the_list_searches_by_number_state_and_day(world):
    harness, plugin, ids = world
    made = paid_topups(harness, plugin, ids)
    paid_topups(harness, plugin, ids, "beta")
    clerk = harness.client("alpha")
    clerk.login_operator("alpha-clerk")
    page = clerk.get("/topup/console")
    assert page.status_code == 200 and sorted(rows_of(page.text)) == sorted(made.values())  # beta's are not here
    assert rows_of(clerk.get("/topup/console", params={"number": "139 0000 0001"}).text) == [made["paid"]]
    assert rows_of(clerk.get("/topup/console", params={"state": "succeeded"}).text) == [made["paid"]]
    assert rows_of(clerk.get("/topup/console", params={"state": "pending"}).text) == [made["open"]]
    created = harness.in_tenant("alpha", lambda: TopUp.select(TopUp.created_at).first())["created_at"]
    day = created.astimezone(dt.timezone(dt.timedelta(hours=8))).date()  # the tenant's day (Asia/Shanghai)
    assert len(rows_of(clerk.get("/topup/console", params={"from": str(day), "to": str(day)}).text)) == 2
    assert rows_of(clerk.get("/topup/console", params={"from": str(day + dt.timedelta(days=1))}).text) == []
    bad = clerk.get("/topup/console", params={"from": "2026-13-40"})
    assert bad.status_code == 400 and "请按 YYYY-MM-DD 格式输入日期。" in bad.text
    assert clerk.get("/topup/console", params={"page": "²"}).status_code == 400
    local = created.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    assert local in page.text  # shown in the tenant's zone
    detail = clerk.get(f"/topup/console/{made['paid']}")
    assert detail.status_code == 200 and "张*明" in detail.text and 'class="topup-refund"' not in detail.text
    assert clerk.get(f"/topup/console/{made['paid']}x").status_code == 404


def test_the_list_pages_through_many_top_ups(hall_factory):
    harness, _, ids = build(hall_factory, {"address_hourly_attempts": 100})
    client = harness.client("alpha")
    for n in range(52):
        assert start(client, ids["alpha"]["numbers"]["holder"], attempt=f"page-form-{n:03d}").status_code == 303
    clerk = harness.client("alpha")
    clerk.login_operator("alpha-clerk")
    first, second = clerk.get("/topup/console"), clerk.get("/topup/console", params={"page": "2"})
    assert len(rows_of(first.text)) == 50 and len(rows_of(second.text)) == 2 and "page=2" in first.text


def test_a_refund_needs_the_permission_and_is_audited(world):
    harness, plugin, ids = world
    made = paid_topups(harness, plugin, ids)
    clerk = harness.client("alpha")
    clerk.login_operator("alpha-clerk")
    assert clerk.post(f"/topup/console/{made['paid']}/refund", {"amount": "10", "reason": "x"}).status_code == 403
    cashier = harness.client("alpha")
    cashier.login_operator("alpha-cashier")
    page = cashier.get(f"/topup/console/{made['paid']}")
    assert 'class="topup-refund"' in page.text
    too_much = cashier.post(f"/topup/console/{made['paid']}/refund", {"amount": "60", "reason": "asked"})
    assert too_much.status_code == 400 and field_errors(too_much.text) == ["最多可退 ¥50.00。"]
    assert field_errors(cashier.post(f"/topup/console/{made['paid']}/refund", {"amount": "10"}).text) == [
        "此项为必填项。"
    ]
    done = cashier.post(f"/topup/console/{made['paid']}/refund", {"amount": "20", "reason": "wrong number"})
    assert done.status_code == 303 and "refund=succeeded" in done.headers["location"]
    row = harness.in_tenant("alpha", lambda: TopUp.select().where(TopUp.intent_id == made["paid"]).first())
    assert (row["state"], row["refunded_fen"]) == ("partially_refunded", 2000)
    audit = harness.in_tenant("alpha", lambda: AuditLog.select().where(AuditLog.action == "payment.refund"))
    assert len(audit) == 1 and audit[0]["actor"] == "alpha-cashier" and audit[0]["object_id"] == made["paid"]
    assert audit[0]["after"]["amount_fen"] == 2000 and audit[0]["after"]["reason"] == "wrong number"
    refunded = harness.in_tenant("alpha", lambda: OutboxEvent.select().where(OutboxEvent.kind == "payment.refunded"))
    assert len(refunded) == 1 and refunded[0]["payload"]["metadata"]["number"] == ids["alpha"]["numbers"]["holder"]
    rest = cashier.post(f"/topup/console/{made['paid']}/refund", {"amount": "30", "reason": "all of it"})
    assert rest.status_code == 303
    row = harness.in_tenant("alpha", lambda: TopUp.select().where(TopUp.intent_id == made["paid"]).first())
    assert (row["state"], row["refunded_fen"]) == ("refunded", 5000)
    unpaid = cashier.post(f"/topup/console/{made['open']}/refund", {"amount": "1", "reason": "x"})
    assert unpaid.status_code == 400  # nothing was paid: nothing to refund
    detail = cashier.get(f"/topup/console/{made['paid']}")
    assert 'class="topup-refund"' not in detail.text and detail.text.count('class="refund"') == 2


def test_another_tenants_top_ups_do_not_exist_here(world):
    harness, plugin, ids = world
    beta = paid_topups(harness, plugin, ids, "beta")
    cashier = harness.client("alpha")
    cashier.login_operator("alpha-cashier")
    assert cashier.get(f"/topup/console/{beta['paid']}").status_code == 404
    assert cashier.post(f"/topup/console/{beta['paid']}/refund", {"amount": "1", "reason": "x"}).status_code == 404
    receipt = harness.in_tenant("beta", lambda: TopUp.select().where(TopUp.intent_id == beta["paid"]).first())
    assert harness.client("alpha").get(f"/topup/receipt/{receipt['receipt_id']}").status_code == 404
    assert harness.client("beta").get(f"/topup/receipt/{receipt['receipt_id']}").status_code == 200


def test_the_customer_view_lists_top_ups_of_the_customers_numbers(world):
    harness, plugin, ids = world
    made = paid_topups(harness, plugin, ids)
    from core.api.testing import add_operator

    add_operator(harness, "alpha", "alpha-desk", permissions=["core.customers.view", "topup.view"])
    desk = harness.client("alpha")
    desk.login_operator("alpha-desk")
    view = desk.get(f"/console/customers/{ids['alpha']['holder'].legacy_id}")
    assert view.status_code == 200 and sorted(rows_of(view.text)) == sorted(made.values())
