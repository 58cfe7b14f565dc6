"""The notices plugin (plugins/notices): operators publish, withdraw and delete notices; customers read the published ones.

Through the same helpers an outside plugin's tests use (core.api.testing).
"""

from __future__ import annotations

import re

from core.api.testing import add_operator, check_plugin, field_errors


def _operator(hall, tenant="alpha", name="op-notices"):
    add_operator(hall, tenant, name)
    client = hall.client(tenant)
    client.login_operator(name)
    return client


def _notice_id(page: str, title: str) -> int:
    """The id in the newest notice's toggle form on the manage page (the page lists the newest first)."""
    assert title in page
    ids = [int(n) for n in re.findall(r"/notices/manage/(\d+)/toggle", page)]
    assert ids, page[:500]
    return ids[0]


def test_a_published_notice_reaches_the_tenants_customers_only(hall):
    op = _operator(hall)
    assert op.post(
        "/notices/manage", {"title": "停机维护通知", "body": "今晚零点维护", "published": "on"}
    ).status_code in (200, 303)
    visitor = hall.client("alpha")
    assert "停机维护通知" in visitor.get("/notices/").text and "停机维护通知" in visitor.get("/").text
    notice = _notice_id(op.get("/notices/manage").text, "停机维护通知")
    assert "今晚零点维护" in visitor.get(f"/notices/{notice}").text
    assert hall.client("beta").get(f"/notices/{notice}").status_code == 404  # beta has not enabled notices at all


def test_withdrawn_and_deleted_notices_disappear_and_each_step_is_audited(hall):
    op = _operator(hall, name="op-withdraw")
    op.post("/notices/manage", {"title": "营业时间调整", "body": "详见公告", "published": "on"})
    notice = _notice_id(op.get("/notices/manage").text, "营业时间调整")
    op.post(f"/notices/manage/{notice}/toggle", {})
    visitor = hall.client("alpha")
    assert "营业时间调整" not in visitor.get("/notices/").text
    assert visitor.get(f"/notices/{notice}").status_code == 404  # a withdrawn notice is not readable by link either
    op.post(f"/notices/manage/{notice}/delete", {})
    assert "营业时间调整" not in op.get("/notices/manage").text
    audit = op.get("/console/audit", params={"action": "notices"}).text
    assert all(action in audit for action in ("notices.create", "notices.withdraw", "notices.delete"))


def test_a_notice_without_a_title_gets_a_field_error(hall):
    op = _operator(hall, name="op-empty")
    response = op.post("/notices/manage", {"title": "", "body": "正文"})
    assert response.status_code == 400 and field_errors(response.text) == [
        "此项为必填项。"
    ]  # only the title: the body was given
    assert 'id="title-error"' in response.text or 'aria-invalid="true"' in response.text


def test_customers_cannot_manage_notices(hall):
    response = hall.client("alpha").get("/notices/manage", follow_redirects=False)
    assert response.status_code == 303 and "/console/login" in response.headers["location"]


def test_the_plugin_passes_the_plugin_check():
    assert check_plugin("notices") == []
