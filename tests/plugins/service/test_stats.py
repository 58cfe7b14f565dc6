"""Statistics: the page and the CSV agree with known data; only operators with service.stats see them."""

from __future__ import annotations

import csv
import datetime as dt
import io

from service_support import customer_client, operator_client

from core.api.workorders import Actor, WorkOrder, open_order, rate, transition


def _seed(harness, ids):
    a = ids["alpha"]
    me = Actor("customer", a["customer"], "c")
    clerk = Actor(
        "operator", a["bill"], "alpha-bill", frozenset(["core.workorders.handle", "service.complaints.resolve"])
    )
    ann = Actor("operator", a["ann"], "alpha-ann", frozenset(["core.workorders.handle", "service.complaints.resolve"]))

    async def seed():
        hall = harness.hall
        one = await open_order(hall, "service.complaint", {"category": "billing", "text": "x"}, title="b1", actor=me)
        two = await open_order(hall, "service.complaint", {"category": "billing", "text": "x"}, title="b2", actor=me)
        await open_order(hall, "service.complaint", {"category": "network", "text": "x"}, title="n1", actor=me)
        ask = await open_order(hall, "service.consultation", {"text": "x"}, title="q1", actor=me)
        await transition(hall, one["id"], "resolve", clerk, comment="done")
        await rate(hall, one["id"], me, 5)
        await transition(hall, two["id"], "resolve", clerk, comment="done")
        await rate(hall, two["id"], me, 2)
        await transition(hall, ask["id"], "answer", ann, comment="answer")
        # known times: one resolved after 60 minutes, two after 180 (past its 24 h deadline? no: deadline moved to 2 h ago)
        created = one["created_at"]
        await WorkOrder.update(
            {
                WorkOrder.resolved_at: created + dt.timedelta(minutes=60),
                WorkOrder.first_response_at: created + dt.timedelta(minutes=60),
            }
        ).where(WorkOrder.id == one["id"])
        await WorkOrder.update(
            {
                WorkOrder.created_at: created,
                WorkOrder.resolved_at: created + dt.timedelta(minutes=180),
                WorkOrder.first_response_at: created + dt.timedelta(minutes=180),
                WorkOrder.deadline_at: created + dt.timedelta(minutes=120),
            }
        ).where(WorkOrder.id == two["id"])

    harness.in_tenant("alpha", seed)


def test_statistics_by_category_on_the_page_and_in_csv(world):
    harness, ids = world
    _seed(harness, ids)
    ann = operator_client(harness, "alpha", "ann")
    page = ann.get("/service/console/stats", params={"by": "category", "kind": "complaint"})
    assert page.status_code == 200 and "<svg" in page.text and "账单与收费" in page.text
    r = ann.get("/service/console/stats.csv", params={"by": "category", "kind": "complaint"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = {row["category"]: row for row in csv.DictReader(io.StringIO(r.text.lstrip("\ufeff")))}
    assert set(rows) == {"billing", "network"}
    billing = rows["billing"]
    assert (billing["opened"], billing["resolved"], billing["breached"], billing["rated"]) == ("2", "2", "1", "2")
    assert (
        billing["avg_resolution"] == "120.0"
        and billing["avg_rating"] == "3.5"
        and billing["satisfaction_rate"] == "0.5"
    )
    assert billing["label"] == "账单与收费"
    assert (rows["network"]["opened"], rows["network"]["resolved"], rows["network"]["avg_rating"]) == ("1", "0", "")


def test_statistics_by_type_department_and_operator(world):
    harness, ids = world
    _seed(harness, ids)
    ann = operator_client(harness, "alpha", "ann")
    by_type = {
        row["type"]: row
        for row in csv.DictReader(
            io.StringIO(ann.get("/service/console/stats.csv", params={"by": "type"}).text.lstrip("\ufeff"))
        )
    }
    assert by_type["service.complaint"]["opened"] == "3" and by_type["service.consultation"]["resolved"] == "1"
    by_operator = {
        row["label"]: row
        for row in csv.DictReader(
            io.StringIO(ann.get("/service/console/stats.csv", params={"by": "assignee"}).text.lstrip("\ufeff"))
        )
    }
    assert by_operator["alpha-bill"]["resolved"] == "2" and by_operator["alpha-ann"]["resolved"] == "1"
    page = ann.get("/service/console/stats", params={"by": "department"}).text
    assert "Billing" in page and "Customer service" in page
    today = dt.date.today()
    empty = ann.get("/service/console/stats", params={"start": "2001-01-01", "end": "2001-01-31"}).text
    assert "此期间没有工单" in empty
    assert ann.get("/service/console/stats", params={"start": "garbage", "by": "nonsense"}).status_code == 200
    assert str(today.year) in ann.get("/service/console/stats", params={"by": "month"}).text


def test_statistics_need_the_permission_and_stay_in_the_tenant(world):
    harness, ids = world
    _seed(harness, ids)
    assert operator_client(harness, "alpha", "bill").get("/service/console/stats").status_code == 403
    beta = operator_client(harness, "beta", "ann")
    text = beta.get("/service/console/stats.csv", params={"by": "type"}).text.lstrip("\ufeff")
    assert list(csv.DictReader(io.StringIO(text))) == []
    assert customer_client(harness, ids).get("/service/console/stats", follow_redirects=False).status_code in (
        302,
        303,
        403,
    )


def test_csv_cells_never_start_a_formula():
    from plugins.service.routes_stats import cell

    assert [cell("=SUM(A1)"), cell("@x"), cell("Billing"), cell(None), cell(-1.5), cell(3)] == [
        "'=SUM(A1)",
        "'@x",
        "Billing",
        "",
        "-1.5",
        "3",
    ]
