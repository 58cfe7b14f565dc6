"""The consultation loop: ask → staff reply → customer told and sees it → de-identified Q&A published → public search."""

from __future__ import annotations

from service_support import customer_client, operator_client

from core.api.testing import field_errors
from core.api.workorders import WorkOrder
from core.notify.tables import Message
from plugins.service.tables import Faq


def _only_order(harness, tid="alpha"):
    rows = harness.in_tenant(tid, lambda: WorkOrder.select())
    assert len(rows) == 1
    return rows[0]


def test_customer_consultation_goes_round_the_loop(world):
    harness, ids = world
    me = customer_client(harness, ids)
    r = me.post(
        "/service/ask",
        {"title": "国际漫游怎么开通", "text": "我的号码 13912345678 想开通国际漫游，邮箱 me@example.com"},
    )
    assert r.status_code == 303
    order = _only_order(harness)
    assert r.headers["location"].endswith(f"/account/requests/{order['id']}")
    assert order["type"] == "service.consultation" and order["customer"] == ids["alpha"]["customer"]
    assert order["department"] is not None  # routed to the default department (CS)
    ann = operator_client(harness, "alpha", "ann")
    path = f"/console/workorders/{order['id']}"
    assert "国际漫游怎么开通" in ann.get(path).text
    assert (
        ann.post(path + "/act", {"action": "answer", "comment": "请携带身份证到营业厅办理，或拨打10000。"}).status_code
        == 303
    )
    mails = harness.in_tenant("alpha", lambda: Message.select().where(Message.recipient == "cust-alpha@example.com"))
    assert any("请携带身份证" in (m["body_text"] or "") for m in mails)  # the customer is told, with the answer
    mine = me.get(f"/account/requests/{order['id']}").text
    assert "请携带身份证到营业厅办理" in mine
    # publish, de-identified
    form = ann.get(f"/service/console/faq/new/{order['id']}").text
    assert "13912345678" not in form and "me@example.com" not in form and "请携带身份证" in form
    assert (
        ann.post(
            f"/service/console/faq/new/{order['id']}",
            {"question": "如何开通国际漫游？", "answer": "请携带身份证到营业厅办理。"},
        ).status_code
        == 303
    )
    visitor = harness.client("alpha")
    assert "如何开通国际漫游" in visitor.get("/service/faq", params={"q": "漫游"}).text
    assert "如何开通国际漫游" not in visitor.get("/service/faq", params={"q": "宽带"}).text
    assert "如何开通国际漫游" not in harness.client("beta").get("/service/faq").text
    assert harness.in_tenant("alpha", lambda: Faq.select().first())["source_order"] == order["id"]
    assert "如何开通国际漫游" in ann.get("/service/console/faq").text


def test_visitor_asks_with_contact_details(world):
    harness, ids = world
    visitor = harness.client("alpha")
    assert visitor.get("/service/ask").status_code == 200
    r = visitor.post("/service/ask", {"title": "Hours?", "text": "When are you open?", "contact_name": "Li"})
    assert r.status_code == 400 and field_errors(r.text)  # phone or e-mail needed
    r = visitor.post(
        "/service/ask",
        {"title": "Hours?", "text": "When are you open?", "contact_name": "Li", "contact_email": "not-mail"},
    )
    assert r.status_code == 400
    r = visitor.post(
        "/service/ask",
        {"title": "Hours?", "text": "When are you open?", "contact_name": "Li", "contact_email": "li@example.com"},
    )
    assert r.status_code == 201
    order = _only_order(harness)
    assert order["number"] in r.text and order["customer"] is None and order["contact_email"] == "li@example.com"
    ann = operator_client(harness, "alpha", "ann")
    ann.post(f"/console/workorders/{order['id']}/act", {"action": "answer", "comment": "9:00-17:00"})
    mails = harness.in_tenant("alpha", lambda: Message.select().where(Message.recipient == "li@example.com"))
    assert any("9:00-17:00" in (m["body_text"] or "") for m in mails)


def test_publishing_needs_the_permission_and_an_order_one_may_see(world):
    harness, ids = world
    me = customer_client(harness, ids)
    me.post("/service/ask", {"title": "q", "text": "question"})
    order = _only_order(harness)
    bill = operator_client(harness, "alpha", "bill")
    assert bill.get(f"/service/console/faq/new/{order['id']}").status_code == 403
    beta = operator_client(harness, "beta", "ann")
    assert beta.get(f"/service/console/faq/new/{order['id']}").status_code == 404
    ann = operator_client(harness, "alpha", "ann")
    r = ann.post(f"/service/console/faq/new/{order['id']}", {"question": "", "answer": ""})
    assert r.status_code == 400 and len(field_errors(r.text)) == 2


def test_deidentify_masks_personal_numbers_but_not_public_ones():
    from plugins.service.content import deidentify

    masked = deidentify("我的号码 13912345678，身份证 11010519491231002X，邮箱 li.wei@example.com，已拨打 10000")
    assert "13912345678" not in masked and "11010519491231002X" not in masked and "li.wei@example.com" not in masked
    assert "10000" in masked and "139" in masked
