"""The Chinese console shows names, not stored codes: channels, statuses, sync kinds, audit actions, roles, permissions.

Codes stay visible only as the small monospace hint next to their name (the
audit filter takes codes); everything else a zh_CN operator reads is Chinese.
"""

from __future__ import annotations

import html
import re

from core.notify.outbox import queue
from core.testing import add_operator, make_customer, sync

MONO_HINT = re.compile(r'<small class="mono">.*?</small>', re.S)


def visible(page: str) -> str:
    """The page's text as a reader sees it, without the code hints, tags and form values."""
    body = page.split("<main", 1)[1]
    body = MONO_HINT.sub(" ", body)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(body)


def words(text: str, codes) -> set[str]:
    return {c for c in codes if re.search(rf"(?<![\w.]){re.escape(c)}(?![\w.])", text)}


def _admin(hall):
    add_operator(hall, "alpha", "chief", role="administrator")
    client = hall.client("alpha")
    client.login_operator("chief")
    return client


def test_console_pages_in_chinese_show_no_raw_codes(hall):
    customer = make_customer(51)
    hall.connectors["alpha"].customers.append(customer)
    sync(hall, "alpha")
    admin = _admin(hall)
    assert (
        admin.post(
            "/console/roles/new", {"name": "客服", "permissions": ["core.messages.view", "core.audit.view"]}
        ).status_code
        == 303
    )
    hall.in_tenant("alpha", queue, channel="sms", recipient="13900000000", subject="", body_text="您好", purpose="test")
    hall.in_tenant(
        "alpha", queue, channel="email", recipient="a@example.cn", subject="主题", body_text="您好", purpose="test"
    )

    audit = visible(admin.get("/console/audit").text)
    assert "新建角色" in audit and "登录控制台" in audit and "操作员" in audit
    assert not words(audit, ["role.create", "console.login", "operator", "role"]), words(
        audit, ["role.create", "console.login", "operator", "role"]
    )
    assert re.search(r"permissions\s*:\s*core\.audit\.view, core\.messages\.view", audit), (
        "the JSON is shown as key: value lines"
    )
    assert '{"' not in audit

    messages = visible(admin.get("/console/messages").text)
    assert "短信" in messages and "电子邮件" in messages and "待发送" in messages
    assert not words(messages, ["sms", "email", "pending", "sent", "failed"])

    roles = visible(admin.get("/console/roles").text)
    assert "阅读审计日志" in roles or "查看审计日志" in roles or "审计" in roles
    assert not words(roles, ["core.messages.view", "core.audit.view", "core.operators.manage"])

    operators = visible(admin.get("/console/operators").text)
    assert "管理员" in operators and not words(operators, ["administrator"])

    sync_page = visible(admin.get("/console/sync").text)
    assert "客户资料" in sync_page and not words(sync_page, ["customers", "bills", "calls"])

    customers = visible(admin.get("/console/customers", params={"q": customer.numbers[0].number}).text)
    assert (
        customer.name in customers and "正常" in customers and not words(customers, ["active", "suspended", "closed"])
    )

    role_form = visible(admin.get("/console/roles/new").text)
    assert not re.search(r"(?m)^\s*core\s*$", role_form), "plugin headings are names, not plugin ids"


def test_department_code_and_outlet_names_are_not_verification_code_or_person_name(hall):
    admin = _admin(hall)
    page = admin.get("/console/departments").text
    assert "编码" in page and "验证码" not in page and "姓名" not in page and "名称" in page
    tenants_gettext = hall.app.state.templates.gettext("zh_CN")
    assert tenants_gettext("Name") == "名称" and tenants_gettext("Full name") == "姓名"
    assert tenants_gettext("Verification code") == "验证码" and tenants_gettext("Code") == "编码"


def test_the_super_admin_and_visitors_are_named_in_the_viewers_language(hall):
    from core.testing import add_superadmin

    add_superadmin(hall, "root")
    client = hall.client("alpha")
    client.post("/console/login", {"username": "root", "password": "Passw0rd!test"})
    page = client.get("/console").text
    assert "超级管理员" in page and "Super admin" not in page
