"""Service introduction: pages, tariffs and outlets; operators edit them (rich text sanitised); customers filter outlets."""

from __future__ import annotations

from service_support import operator_client

from core.api.testing import field_errors
from plugins.service.tables import Outlet, ServicePage


def test_operator_publishes_pages_and_outlets_that_customers_read(world):
    harness, ids = world
    ann = operator_client(harness, "alpha", "ann")
    assert ann.get("/service/manage").status_code == 200
    r = ann.post(
        "/service/manage/pages",
        {
            "kind": "tariff",
            "title": "畅享套餐 59",
            "monthly_fee": "59.90",
            "position": "1",
            "body": '<p onclick="x()">Calls <b>and</b> data<script>alert(1)</script></p>'
            '<a href="javascript:alert(2)">bad</a><a href="https://example.com">ok</a>',
            "published": "on",
        },
    )
    assert r.status_code == 303
    page = harness.in_tenant("alpha", lambda: ServicePage.select().first())
    assert page["monthly_fee"] == 5990 and "<script" not in page["body"] and "onclick" not in page["body"]
    assert "javascript:" not in page["body"] and 'href="https://example.com"' in page["body"]
    ann.post(
        "/service/manage/pages", {"kind": "service", "title": "宽带安装", "body": "<p>上门安装</p>", "published": "on"}
    )
    ann.post(
        "/service/manage/outlets",
        {
            "name": "城东营业厅",
            "district": "东城区",
            "address": "东大街1号",
            "hours": "9:00-17:00",
            "phone": "0571-1000",
            "services": "缴费, 办卡",
            "map_url": "https://map.example/1",
            "published": "on",
        },
    )
    ann.post(
        "/service/manage/outlets",
        {"name": "城西营业厅", "district": "西城区", "address": "西大街2号", "published": "on"},
    )
    visitor = harness.client("alpha")
    index = visitor.get("/service/").text
    assert "畅享套餐 59" in index and "59.90" in index and "宽带安装" in index
    detail = visitor.get(f"/service/pages/{page['id']}").text
    assert "<b>and</b>" in detail and "alert(1)" not in detail and "javascript:" not in detail
    both = visitor.get("/service/outlets").text
    assert "城东营业厅" in both and "城西营业厅" in both and "https://map.example/1" in both
    east = visitor.get("/service/outlets", params={"district": "东城区"}).text
    assert "城东营业厅" in east and "城西营业厅" not in east
    assert "城东营业厅" not in harness.client("beta").get("/service/outlets").text  # another tenant's outlets


def test_editing_and_deleting(world):
    harness, ids = world
    ann = operator_client(harness, "alpha", "ann")
    ann.post("/service/manage/pages", {"kind": "service", "title": "Old", "body": "x", "published": "on"})
    pid = harness.in_tenant("alpha", lambda: ServicePage.select().first())["id"]
    assert "Old" in ann.get(f"/service/manage/pages/{pid}").text
    assert (
        ann.post(f"/service/manage/pages/{pid}", {"kind": "service", "title": "New", "body": "<p>y</p>"}).status_code
        == 303
    )
    row = harness.in_tenant("alpha", lambda: ServicePage.select().first())
    assert row["title"] == "New" and row["published"] is False
    assert harness.client("alpha").get(f"/service/pages/{pid}").status_code == 404  # unpublished
    ann.post("/service/manage/outlets", {"name": "A", "district": "D", "address": "addr", "published": "on"})
    oid = harness.in_tenant("alpha", lambda: Outlet.select().first())["id"]
    assert (
        ann.post(f"/service/manage/outlets/{oid}", {"name": "B", "district": "D", "address": "addr"}).status_code == 303
    )
    assert ann.get(f"/service/manage/outlets/{oid}").status_code == 200
    assert ann.post(f"/service/manage/outlets/{oid}/delete").status_code == 303
    assert ann.post(f"/service/manage/pages/{pid}/delete").status_code == 303
    assert (
        harness.in_tenant("alpha", lambda: ServicePage.count()) == 0
        and harness.in_tenant("alpha", lambda: Outlet.count()) == 0
    )
    beta = operator_client(harness, "beta", "ann")
    assert beta.get(f"/service/manage/pages/{pid}").status_code == 404


def test_bad_content_input_is_refused_with_field_errors(world):
    harness, ids = world
    ann = operator_client(harness, "alpha", "ann")
    r = ann.post(
        "/service/manage/pages",
        {"kind": "nonsense", "title": "x" * 121, "monthly_fee": "-1", "position": "abc", "body": "y" * 20001},
    )
    assert r.status_code == 400 and len(field_errors(r.text)) == 5
    r = ann.post(
        "/service/manage/outlets", {"name": "", "district": "", "address": "a", "map_url": "javascript:alert(1)"}
    )
    assert r.status_code == 400 and len(field_errors(r.text)) == 3
    assert harness.in_tenant("alpha", lambda: ServicePage.count()) == 0


def test_content_pages_need_the_permission(world):
    harness, ids = world
    plain = operator_client(harness, "alpha", "plain")
    assert plain.get("/service/manage").status_code == 403
    assert plain.post("/service/manage/pages", {"kind": "service", "title": "x"}).status_code == 403
    assert harness.client("alpha").get("/service/manage", follow_redirects=False).status_code in (302, 303, 401)
