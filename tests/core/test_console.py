"""Operator console: roles from plugin permissions, audited actions, super-admin across tenants, SMS outbox."""

from __future__ import annotations

from core.audit import AuditLog
from core.testing import add_operator, add_superadmin, make_customer, sync
from identity_steps import start_signup


def _admin(hall, tenant="alpha", name="chief"):
    add_operator(hall, tenant, name)
    client = hall.client(tenant)
    client.login_operator(name)
    return client


def test_role_editor_lists_permissions_declared_by_plugins(hall):
    page = _admin(hall).get("/console/roles/new").text
    assert 'value="notices.manage"' in page and 'value="core.audit.view"' in page


def test_create_role_and_operator_is_audited_with_before_and_after(hall):
    admin = _admin(hall)
    assert admin.post("/console/roles/new", {"name": "客服", "permissions": ["core.messages.view"]}).status_code == 303
    r = admin.post(
        "/console/operators/new",
        {
            "username": "zhang",
            "display_name": "张三",
            "department": "客服部",
            "password": "Passw0rd-z",
            "roles": ["客服"],
            "active": "on",
        },
    )
    assert r.status_code == 303
    entries = hall.in_tenant("alpha", lambda: AuditLog.select().order_by(AuditLog.id))
    create = next(e for e in entries if e["action"] == "operator.create")
    assert create["actor"] == "chief" and create["after"]["roles"] == ["客服"] and create["before"] == {}
    assert "Passw0rd-z" not in str(entries)
    # edit: department changes, audit keeps before and after
    op_id = create["object_id"]
    admin.post(
        f"/console/operators/{op_id}",
        {"username": "zhang", "display_name": "张三", "department": "营业部", "roles": ["客服"], "active": "on"},
    )
    update = hall.in_tenant("alpha", lambda: AuditLog.select().where(AuditLog.action == "operator.update").first())
    assert update["before"]["department"] == "客服部" and update["after"]["department"] == "营业部"
    # the new operator can log in and has exactly the role's permissions
    zhang = hall.client("alpha")
    zhang.login_operator("zhang", "Passw0rd-z")
    assert zhang.get("/console/messages").status_code == 200
    assert zhang.get("/console/audit").status_code == 403


def test_operator_form_errors_are_next_to_fields(hall):
    admin = _admin(hall)
    r = admin.post("/console/operators/new", {"username": "", "display_name": "", "password": "short"})
    assert r.status_code == 400
    for field in ("username", "display_name", "password"):
        assert f'id="{field}-error"' in r.text


def test_audit_log_is_searchable(hall):
    admin = _admin(hall)
    admin.post("/notices/manage", {"title": "停机维护通知", "body": "今晚维护", "published": "on"})
    found = admin.get("/console/audit", params={"action": "notices"}).text
    assert "notices.create" in found
    none = admin.get("/console/audit", params={"actor": "nobody-at-all"}).text
    assert "notices.create" not in none
    assert admin.get("/console/audit", params={"date_from": "not-a-date"}).status_code == 200


def test_deactivated_operator_is_logged_out(hall):
    admin = _admin(hall)
    add_operator(hall, "alpha", "leaver")
    leaver = hall.client("alpha")
    leaver.login_operator("leaver")
    op = hall.in_tenant(
        "alpha",
        lambda: (
            __import__("core.auth.tables", fromlist=["Operator"])
            .Operator.select()
            .where(__import__("core.auth.tables", fromlist=["Operator"]).Operator.username == "leaver")
            .first()
        ),
    )
    admin.post(f"/console/operators/{op['id']}", {"username": "leaver", "display_name": "leaver", "department": ""})
    assert leaver.get("/console", follow_redirects=False).status_code == 303


def test_super_admin_works_in_every_tenant(hall):
    add_superadmin(hall, "root")
    for tenant in ("alpha", "beta"):
        client = hall.client(tenant)
        client.login_operator("root")
        assert client.get("/console/operators").status_code == 200
        assert client.get("/console/tenants").status_code == 200
    assert _admin(hall, "beta", "beta-chief").get("/console/tenants").status_code == 403


def test_sms_outbox_is_visible_to_operators(hall):
    customer = make_customer(41)
    hall.connectors["alpha"].customers.append(customer)
    sync(hall, "alpha")
    start_signup(hall.client("alpha"), customer, "sms")
    page = _admin(hall).get("/console/messages", params={"channel": "sms"}).text
    assert customer.phone in page


def test_customer_lookup_shows_masked_id_only(hall):
    customer = make_customer(42)
    hall.connectors["alpha"].customers.append(customer)
    sync(hall, "alpha")
    page = _admin(hall).get("/console/customers", params={"q": customer.numbers[0].number}).text
    assert customer.name in page
    assert customer.id_number not in page and customer.id_number[-4:] in page


def test_customer_search_leads_to_the_audited_customer_view(hall):
    customer = make_customer(43)
    hall.connectors["alpha"].customers.append(customer)
    sync(hall, "alpha")
    admin = _admin(hall)
    found = admin.get("/console/customers", params={"q": customer.legacy_id}).text
    assert f"/console/customers/{customer.legacy_id}" in found
    page = admin.get(f"/console/customers/{customer.legacy_id}")
    assert page.status_code == 200 and customer.name in page.text and customer.id_number not in page.text
    assert f'data-number="{customer.numbers[0].number}"' in page.text
    assert _admin(hall, "beta", "beta-chief").get(f"/console/customers/{customer.legacy_id}").status_code == 404
    add_operator(hall, "alpha", "nobody", permissions=["core.messages.view"])
    nobody = hall.client("alpha")
    nobody.login_operator("nobody")
    assert nobody.get(f"/console/customers/{customer.legacy_id}").status_code == 403
    views = hall.in_tenant("alpha", lambda: AuditLog.select().where(AuditLog.action == "customer.view"))
    assert [(v["actor"], v["object_id"]) for v in views] == [("chief", customer.legacy_id)]


def test_the_customer_view_lists_billing_accounts_with_their_last_known_balance(hall):
    """合账: an account paying for two numbers shows once, with its numbers and the balance last read from the BSS."""
    import datetime as dt

    from core.legacy.billing_tables import Balance
    from core.testing import add_billing_account

    customer = make_customer(44, numbers=("13900004401", "13900004402"))
    hall.connectors["alpha"].customers.append(customer)
    sync(hall, "alpha")
    add_billing_account(hall, "alpha", "ACC-44", numbers=("13900004401", "13900004402"),
                        customer_legacy_id=customer.legacy_id, name="家庭合账", billing="prepaid")  # fmt: skip
    at = dt.datetime(2026, 3, 1, 4, 0, tzinfo=dt.timezone.utc)
    hall.in_tenant("alpha", lambda: Balance.insert(Balance(account_legacy_id="ACC-44", balance_fen=-1230, billing="prepaid", as_of=at, fetched_at=at)))  # fmt: skip
    page = _admin(hall).get(f"/console/customers/{customer.legacy_id}").text
    row = page.split('data-account="ACC-44"', 1)[1].split("</tr>", 1)[0]
    assert "家庭合账" in row and "13900004401, 13900004402" in row and "-12.30" in row
    assert "2026-03-01 12:00" in row  # the tenant's time (Asia/Shanghai), not UTC
