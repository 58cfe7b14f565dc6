"""The complaint loop: file → routed by category → first operator owns → outcome → rating → reopen within the period only."""

from __future__ import annotations

import datetime as dt

from service_support import PNG, customer_client, operator_client

from core.api.testing import field_errors
from core.api.workorders import Department, WorkOrder, WorkOrderEvent
from core.notify.tables import Message
from core.workorders.escalation import escalate_due
from plugins.service.tables import Attachment


def _order(harness, tid="alpha"):
    return harness.in_tenant(tid, lambda: WorkOrder.select().order_by(WorkOrder.id, ascending=False).first())


def _file(client, category="billing", title="五月账单多收费", text="五月账单多收了 30 元", **files):
    return client.post("/service/complain", {"category": category, "title": title, "text": text}, files=files or None)


def test_complaint_goes_round_the_whole_loop(world):
    harness, ids = world
    me = customer_client(harness, ids)
    assert me.get("/service/complain").status_code == 200
    r = _file(me, attachment=("bill.png", PNG, "image/png"))
    assert r.status_code == 303
    order = _order(harness)
    assert r.headers["location"].endswith(f"/account/requests/{order['id']}")
    bill_dept = harness.in_tenant("alpha", lambda: Department.select().where(Department.code == "BILL").first())
    assert (
        order["type"] == "service.complaint"
        and order["department"] == bill_dept["id"]
        and order["category"] == "billing"
    )
    assert order["number"].startswith("TS-") and order["deadline_at"] - order["created_at"] == dt.timedelta(hours=24)
    # the billing clerk sees it (with the attachment), customer service does not: it is not their department's
    clerk, ann = operator_client(harness, "alpha", "bill"), operator_client(harness, "alpha", "ann")
    path = f"/console/workorders/{order['id']}"
    page = clerk.get(path).text
    assert "五月账单多收了 30 元" in page and "bill.png" in page
    assert ann.get(path).status_code == 404
    attachment = order["data"]["attachments"][0]["id"]
    got = clerk.get(f"/service/console/attachments/{attachment}")
    assert got.status_code == 200 and got.content == PNG and got.headers["content-type"].startswith("image/png")
    assert me.get(f"/service/attachments/{attachment}").content == PNG
    # first responder owns it; the head may act; nobody else
    assert clerk.post(path + "/act", {"action": "accept"}).status_code == 303
    assert _order(harness)["assignee"] == ids["alpha"]["bill"]
    assert clerk.post(path + "/act", {"action": "resolve", "comment": ""}).status_code == 400  # the outcome is required
    assert clerk.post(path + "/act", {"action": "resolve", "comment": "已退还 30 元至账户"}).status_code == 303
    mails = harness.in_tenant("alpha", lambda: Message.select().where(Message.recipient == "cust-alpha@example.com"))
    assert any("已退还 30 元" in m["body_text"] for m in mails)
    mine = me.get(f"/account/requests/{order['id']}").text
    assert "已退还 30 元至账户" in mine
    assert me.post(f"/account/requests/{order['id']}/rate", {"rating": "4", "remark": "ok"}).status_code == 303
    assert _order(harness)["rating"] == 4
    # reopen within the period: back to handling, same owner
    assert (
        me.post(f"/account/requests/{order['id']}/act", {"action": "reopen", "comment": "又多收了"}).status_code == 303
    )
    reopened = _order(harness)
    assert (
        reopened["state"] == "handling"
        and reopened["reopen_count"] == 1
        and reopened["assignee"] == ids["alpha"]["bill"]
    )
    assert clerk.post(path + "/act", {"action": "resolve", "comment": "已全部退还"}).status_code == 303
    assert me.post(f"/account/requests/{order['id']}/act", {"action": "close"}).status_code == 303
    assert _order(harness)["state"] == "closed"


def test_reopening_is_refused_after_the_period(world):
    harness, ids = world
    me = customer_client(harness, ids)
    _file(me, category="staff")
    order = _order(harness)
    ann = operator_client(harness, "alpha", "ann")  # staff complaints go to the default department, CS
    assert (
        ann.post(f"/console/workorders/{order['id']}/act", {"action": "resolve", "comment": "已道歉"}).status_code
        == 303
    )

    async def age_resolution():
        await WorkOrderEvent.update({WorkOrderEvent.at: WorkOrderEvent.at - dt.timedelta(days=8)}).where(
            (WorkOrderEvent.workorder == order["id"]) & (WorkOrderEvent.to_state == "resolved")
        )

    harness.in_tenant("alpha", age_resolution)
    r = me.post(f"/account/requests/{order['id']}/act", {"action": "reopen", "comment": "还是不满意"})
    assert r.status_code == 409 and ("7" in r.text)
    after = _order(harness)
    assert after["state"] == "resolved" and after["reopen_count"] == 0  # rolled back, nothing half-written
    assert harness.in_tenant("alpha", lambda: WorkOrderEvent.count().where(WorkOrderEvent.action == "reopen")) == 0


def test_categories_map_to_departments_per_tenant(hall_factory):
    from service_support import build

    harness, ids = build(hall_factory, complaint_departments={"network": "BILL"}, default_department="NET")
    me = customer_client(harness, ids)
    _file(me, category="network")
    net_to_bill = _order(harness)
    _file(me, category="billing")  # not mapped here: the default department
    depts = {d["id"]: d["code"] for d in harness.in_tenant("alpha", lambda: Department.select())}
    assert depts[net_to_bill["department"]] == "BILL" and depts[_order(harness)["department"]] == "NET"
    beta = customer_client(harness, ids, "beta")  # beta keeps the defaults
    _file(beta, category="network")
    beta_depts = {d["id"]: d["code"] for d in harness.in_tenant("beta", lambda: Department.select())}
    assert beta_depts[_order(harness, "beta")["department"]] == "NET"


def test_missed_deadline_is_escalated_to_the_department_head(world):
    harness, ids = world
    me = customer_client(harness, ids)
    _file(me)
    order = _order(harness)
    later = order["created_at"] + dt.timedelta(hours=25)
    assert harness.in_tenant("alpha", escalate_due, harness.hall, "alpha", now=later) == 1
    assert harness.in_tenant("alpha", escalate_due, harness.hall, "alpha", now=later) == 0
    mails = harness.in_tenant("alpha", lambda: Message.select().where(Message.recipient == "billing-head@example.com"))
    assert len(mails) == 1 and order["number"] in mails[0]["subject"]
    head = operator_client(harness, "alpha", "head")
    escalations = harness.in_tenant("alpha", lambda: WorkOrderEvent.select().where(WorkOrderEvent.action == "escalate"))
    assert [e["details"]["head"] for e in escalations] == [ids["alpha"]["head"]]
    assert head.get(f"/console/workorders/{order['id']}").status_code == 200  # the head sees it and may take it over


def test_other_tenant_and_other_customers_cannot_see_a_complaint(world):
    harness, ids = world
    me = customer_client(harness, ids)
    _file(me, attachment=("a.pdf", b"%PDF-1.4 test", "application/pdf"))
    order = _order(harness)
    attachment = order["data"]["attachments"][0]["id"]
    beta_ops = operator_client(harness, "beta", "bill")
    assert beta_ops.get(f"/console/workorders/{order['id']}").status_code == 404
    assert beta_ops.get(f"/service/console/attachments/{attachment}").status_code == 404
    assert "五月账单多收费" not in beta_ops.get("/console/workorders").text
    beta_customer = customer_client(harness, ids, "beta")
    assert beta_customer.get(f"/service/attachments/{attachment}").status_code == 404
    assert (
        operator_client(harness, "alpha", "ann").get(f"/service/console/attachments/{attachment}").status_code == 404
    )  # CS: not theirs


def test_bad_input_is_refused_clearly(world):
    harness, ids = world
    me = customer_client(harness, ids)
    r = _file(me, category="nonsense", title="x" * 101, text="y" * 2001)
    assert r.status_code == 400 and len(field_errors(r.text)) == 3
    r = _file(
        me, attachment=("evil.png", b"<script>alert(1)</script>", "image/png")
    )  # the name says picture, the content does not
    assert r.status_code == 400 and field_errors(r.text)
    r = _file(me, attachment=("big.png", PNG + b"\x00" * (1024 * 1024), "image/png"))
    assert r.status_code == 400 and "1024" in " ".join(field_errors(r.text))
    assert (
        harness.in_tenant("alpha", lambda: WorkOrder.count()) == 0
        and harness.in_tenant("alpha", lambda: Attachment.count()) == 0
    )
    # markup is kept as text and shown escaped
    assert (
        _file(me, title="<b>bold</b>", text='<script>alert("x")</script><img src=x onerror=alert(1)>').status_code
        == 303
    )
    order = _order(harness)
    page = me.get(f"/account/requests/{order['id']}").text
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "<img src=x" not in page
    staff = operator_client(harness, "alpha", "bill").get(f"/console/workorders/{order['id']}").text
    assert "<script>alert" not in staff and "&lt;script&gt;" in staff
    assert harness.client("alpha").get("/service/complain", follow_redirects=False).status_code in (
        302,
        303,
    )  # customers only


def test_flooding_is_limited_per_customer_and_per_address(hall_factory):
    from service_support import build

    harness, ids = build(hall_factory, per_customer_per_hour=2, per_address_per_hour=3)
    me = customer_client(harness, ids)
    assert _file(me).status_code == 303
    assert me.post("/service/ask", {"title": "q", "text": "q"}).status_code == 303
    r = _file(me)
    assert r.status_code == 429
    visitor = harness.client("alpha")  # same address (the test client's)
    ok = visitor.post("/service/ask", {"title": "q", "text": "q", "contact_name": "V", "contact_phone": "13700000000"})
    assert ok.status_code == 201
    assert (
        visitor.post(
            "/service/ask", {"title": "q", "text": "q", "contact_name": "V", "contact_phone": "13700000000"}
        ).status_code
        == 429
    )
    assert harness.in_tenant("alpha", lambda: WorkOrder.count()) == 3
    assert (
        harness.client("beta")
        .post("/service/ask", {"title": "q", "text": "q", "contact_name": "V", "contact_phone": "13700000000"})
        .status_code
        == 201
    )  # per tenant
