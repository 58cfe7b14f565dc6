"""Console queues and order pages, departments, and the customer's "my requests" pages."""

from __future__ import annotations

import re

from workorder_support import customer

from core.audit import AuditLog
from core.testing import field_errors
from core.workorders import open_order
from core.workorders.tables import Department, WorkOrder, WorkOrderEvent


def _open(harness, ids, tid="alpha", topic="other", title="My line is down"):
    return harness.in_tenant(
        tid,
        open_order,
        harness.hall,
        "testwo.ticket",
        {"topic": topic, "text": "it broke"},
        title=title,
        actor=customer(ids[tid]),
    )


def test_queues_show_what_each_operator_may_see(world):
    harness, ids, _ = world
    cs_order = _open(harness, ids, title="CS-ORDER-TITLE")
    bill_order = _open(harness, ids, topic="billing", title="BILL-ORDER-TITLE")
    _open(harness, ids, "beta", title="BETA-ORDER-TITLE")
    ann, carl, boss = (harness.client("alpha") for _ in range(3))
    ann.login_operator("alpha-ann")
    carl.login_operator("alpha-carl")
    boss.login_operator("alpha-boss")
    page = ann.get("/console/workorders").text
    assert "CS-ORDER-TITLE" in page and "BILL-ORDER-TITLE" not in page and "BETA-ORDER-TITLE" not in page
    page = carl.get("/console/workorders").text
    assert "BILL-ORDER-TITLE" in page and "CS-ORDER-TITLE" not in page
    assert carl.get(f"/console/workorders/{cs_order['id']}").status_code == 404
    assert boss.get("/console/workorders").status_code == 403  # supervising alone is not handling
    r = ann.get("/console/workorders", params={"q": cs_order["number"], "type": "testwo.ticket", "state": "new"})
    assert "CS-ORDER-TITLE" in r.text
    assert "CS-ORDER-TITLE" not in ann.get("/console/workorders", params={"queue": "mine"}).text
    assert bill_order["number"] in carl.get("/console/workorders", params={"queue": "unassigned"}).text


def test_operator_claims_acts_transfers_and_comments_in_the_console(world):
    harness, ids, _ = world
    a = ids["alpha"]
    order = _open(harness, ids)
    ann, bob = harness.client("alpha"), harness.client("alpha")
    ann.login_operator("alpha-ann")
    bob.login_operator("alpha-bob")
    path = f"/console/workorders/{order['id']}"
    assert ann.post(path + "/claim").status_code == 303
    page = bob.get(path).text
    assert "Another operator owns this order" in page or "其他营业员" in page
    r = bob.post(path + "/act", {"action": "start"})
    assert r.status_code == 403
    r = ann.post(path + "/act", {"action": "resolve", "comment": ""})
    assert r.status_code == 400 and field_errors(r.text)  # a note is required, shown next to the field
    assert ann.post(path + "/act", {"action": "start"}).status_code == 303
    assert ann.post(path + "/act", {"action": "nonsense"}).status_code == 409
    assert ann.post(path + "/comment", {"comment": "Checking the line", "public": "on"}).status_code == 303
    r = ann.post(path + "/transfer", {"department": "BILL", "operator": "", "reason": ""})
    assert r.status_code == 400 and field_errors(r.text)
    assert (
        ann.post(
            path + "/transfer", {"department": "BILL", "operator": str(a["carl"]), "reason": "billing"}
        ).status_code
        == 303
    )
    moved = harness.in_tenant("alpha", lambda: WorkOrder.select().where(WorkOrder.id == order["id"]).first())
    assert moved["assignee"] == a["carl"]
    assert ann.get(path).status_code == 404  # no longer her department's or hers
    page = harness.client("alpha")
    page.login_operator("alpha-carl")
    html = page.get(path).text
    assert "billing" in html and "Checking the line" in html
    actions = [
        e["action"] for e in harness.in_tenant("alpha", lambda: WorkOrderEvent.select().order_by(WorkOrderEvent.id))
    ]
    assert actions == ["open", "claim", "start", "comment", "transfer"]
    audited = harness.in_tenant(
        "alpha", lambda: AuditLog.select(AuditLog.action).where(AuditLog.action.like("workorder.%"))
    )
    assert [a["action"] for a in audited] == [
        "workorder.claim",
        "workorder.act",
        "workorder.comment",
        "workorder.transfer",
    ]


def test_console_home_shows_the_queues(world):
    harness, ids, _ = world
    _open(harness, ids)
    ann = harness.client("alpha")
    ann.login_operator("alpha-ann")
    home = ann.get("/console").text
    assert "/console/workorders?queue=unassigned" in home
    assert re.search(r"queue=unassigned[^<]*</a></dt><dd>1</dd>", home)


def test_departments_are_managed_in_the_console(world):
    harness, ids, _ = world
    a = ids["alpha"]
    admin = harness.client("alpha")
    from core.testing import add_operator

    add_operator(harness, "alpha", "alpha-admin", permissions=["core.workorders.departments"])
    admin.login_operator("alpha-admin")
    assert "Customer service" in admin.get("/console/departments").text
    r = admin.post("/console/departments/new", {"code": "bad code!", "name": "", "email": "nope"})
    assert r.status_code == 400 and len(field_errors(r.text)) == 3
    r = admin.post("/console/departments/new", {"code": "CS", "name": "Dup"})
    assert r.status_code == 400
    r = admin.post(
        "/console/departments/new",
        {
            "code": "NET",
            "name": "Network",
            "head": str(a["head"]),
            "members": [str(a["bob"])],
            "email": "net@example.com",
            "active": "on",
        },
    )
    assert r.status_code == 303
    net = harness.in_tenant("alpha", lambda: Department.select().where(Department.code == "NET").first())
    assert (net["head"], net["email"]) == (a["head"], "net@example.com")
    assert admin.get(f"/console/departments/{net['id']}").status_code == 200
    assert admin.post(f"/console/departments/{net['id']}", {"code": "NET", "name": "Network ops"}).status_code == 303
    ann = harness.client("alpha")
    ann.login_operator("alpha-ann")
    assert ann.get("/console/departments").status_code == 403


def test_customer_follows_rates_and_closes_their_request(world):
    harness, ids, _ = world
    a = ids["alpha"]
    order = _open(harness, ids)
    other = _open(harness, ids, "beta")
    me = harness.client("alpha")
    me.login_customer(a["customer_number"])
    listing = me.get("/account/requests").text
    assert order["number"] in listing
    path = f"/account/requests/{order['id']}"
    assert me.post(path + "/comment", {"comment": "Please hurry"}).status_code == 303
    ann = harness.client("alpha")
    ann.login_operator("alpha-ann")
    assert ann.post(f"/console/workorders/{order['id']}/comment", {"comment": "INTERNAL-ONLY-NOTE"}).status_code == 303
    assert (
        ann.post(
            f"/console/workorders/{order['id']}/act", {"action": "resolve", "comment": "Fixed the cable"}
        ).status_code
        == 303
    )
    page = me.get(path).text
    assert "Fixed the cable" in page and "Please hurry" in page and "INTERNAL-ONLY-NOTE" not in page
    assert "alpha-ann" not in page  # operators are "customer service" to the customer
    r = me.post(path + "/rate", {"rating": "9"})
    assert r.status_code == 400 and field_errors(r.text)
    assert me.post(path + "/rate", {"rating": "5", "remark": "quick"}).status_code == 303
    assert me.post(path + "/act", {"action": "close"}).status_code == 303
    done = harness.in_tenant("alpha", lambda: WorkOrder.select().where(WorkOrder.id == order["id"]).first())
    assert (done["state"], done["rating"]) == ("closed", 5)
    assert me.get(f"/account/requests/{other['id']}").status_code == 404  # beta's order id, on alpha
    assert me.post(f"/account/requests/{other['id']}/act", {"action": "cancel"}).status_code == 404


def test_pages_speak_the_users_language(world):
    harness, ids, _ = world
    order = _open(harness, ids)
    me = harness.client("alpha")
    me.login_customer(ids["alpha"]["customer_number"])
    assert "我的受理单" in me.get("/account/requests").text
    r = me.post(f"/account/requests/{order['id']}/rate", {"rating": "5"})
    assert r.status_code == 409 and "不能评价" in r.text
    me.post("/language", {"language": "en"})
    assert "My requests" in me.get("/account/requests").text


def test_orders_of_another_customer_are_invisible(world):
    from core.testing import make_customer, register_customer

    harness, ids, _ = world
    order = _open(harness, ids)
    stranger = make_customer(44)
    register_customer(harness, "alpha", stranger)
    client = harness.client("alpha")
    client.login_customer(stranger.numbers[0].number)
    assert order["number"] not in client.get("/account/requests").text
    assert client.get(f"/account/requests/{order['id']}").status_code == 404
    assert re.search(r"TK-\d{4}-", client.get("/account/requests").text) is None
