"""Numbers typed into work-order forms and queries: "²", numbers past any column, negatives. A field error or a 400
with a message, never a 500 (they were: "²".isdigit() is True and int("²") fails; 10**23 reached the database)."""

from __future__ import annotations

from test_pages import _open

from core.testing import add_operator, field_errors
from core.workorders.tables import Department, DepartmentMember, WorkOrder

BAD = ("²", "١", "9" * 23, "-1", "1e3")


def _admin(harness):
    add_operator(harness, "alpha", "alpha-admin", permissions=["core.workorders.departments"])
    admin = harness.client("alpha")
    admin.login_operator("alpha-admin")
    return admin


def test_department_head_and_members_that_are_not_operator_ids(world):
    harness, ids, _ = world
    admin = _admin(harness)
    cs = harness.in_tenant("alpha", lambda: Department.select().where(Department.code == "CS").first())
    for bad in BAD:
        r = admin.post("/console/departments/new", {"code": "NET", "name": "Network", "head": bad})
        assert r.status_code == 400 and field_errors(r.text), bad
        r = admin.post(
            "/console/departments/new", {"code": "NET", "name": "Network", "members": [str(ids["alpha"]["bob"]), bad]}
        )
        assert r.status_code == 400 and field_errors(r.text), bad
        r = admin.post(f"/console/departments/{cs['id']}", {"code": "CS", "name": "CS", "members": [bad]})
        assert r.status_code == 400, bad
    assert harness.in_tenant("alpha", lambda: Department.count().where(Department.code == "NET")) == 0
    assert (
        harness.in_tenant("alpha", lambda: DepartmentMember.count().where(DepartmentMember.department == cs["id"])) == 2
    )


def test_transfer_targets_and_ratings_that_are_not_numbers(world):
    harness, ids, _ = world
    order = _open(harness, ids)
    ann = harness.client("alpha")
    ann.login_operator("alpha-ann")
    path = f"/console/workorders/{order['id']}"
    assert ann.post(path + "/claim").status_code == 303
    for bad in BAD:
        r = ann.post(path + "/transfer", {"department": "", "operator": bad, "reason": "elsewhere"})
        assert r.status_code == 400 and field_errors(r.text), bad
    assert (
        harness.in_tenant("alpha", lambda: WorkOrder.select().where(WorkOrder.id == order["id"]).first())["assignee"]
        == ids["alpha"]["ann"]
    )
    assert ann.post(path + "/act", {"action": "resolve", "comment": "Fixed"}).status_code == 303
    me = harness.client("alpha")
    me.login_customer(ids["alpha"]["customer_number"])
    for bad in (*BAD, "0", "6"):
        r = me.post(f"/account/requests/{order['id']}/rate", {"rating": bad})
        assert r.status_code == 400 and field_errors(r.text), bad
    assert me.post(f"/account/requests/{order['id']}/rate", {"rating": "5"}).status_code == 303


def test_queue_filters_and_pages_that_are_not_numbers(world):
    harness, ids, _ = world
    ann = harness.client("alpha")
    ann.login_operator("alpha-ann")
    for bad in BAD:
        assert ann.get("/console/workorders", params={"department": bad}).status_code == 200, (
            bad
        )  # a filter that matches nothing
        r = ann.get("/console/workorders", params={"page": bad})
        assert r.status_code == 400 and "page" in r.text, bad
    me = harness.client("alpha")
    me.login_customer(ids["alpha"]["customer_number"])
    assert me.get("/account/requests", params={"page": "²"}).status_code == 400
    assert me.get("/account/requests/" + "9" * 23).status_code == 404
