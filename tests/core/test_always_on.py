"""The core's always-on plugins (core/builtin.py): registered for every tenant, unlisted, their templates overridable."""

from __future__ import annotations

from core.auth.permissions import all_permissions
from core.plugins import ALWAYS_ON
from core.web.templating import CORE_TEMPLATES, Templates


def test_core_plugins_are_registered_but_not_listed_and_serve_a_tenant_without_plugins(hall):
    plugins = hall.hall.plugins
    assert ALWAYS_ON == {
        "core.accounts",
        "core.auth",
        "core.console",
        "core.home",
        "core.legacy",
        "core.payments",
        "core.workorders",
        "core.products",
        "core.tmf",
    }
    assert all(plugins.has(name) and plugins.info(name).source == "core" for name in ALWAYS_ON)
    assert not ALWAYS_ON & set(plugins.names())
    beta = hall.client("beta")  # enables no plugin at all
    assert beta.get("/").status_code == 200
    assert beta.get("/console/login").status_code == 200


def test_the_role_editor_groups_the_core_permissions_under_core_in_their_old_order(hall):
    groups = all_permissions(hall.hall)
    assert not [name for name in groups if name.startswith("core.")]
    codes = [p.code for p in groups["core"]]
    assert codes[:8] == [
        "core.operators.manage",
        "core.audit.view",
        "core.messages.view",
        "core.customers.view",
        "core.sync.manage",
        "core.outbox.manage",
        "core.payments.view",
        "core.payments.refund",
    ]
    assert {"core.workorders.handle", "core.workorders.departments"} <= set(codes[8:])


def test_core_plugin_templates_come_after_tenant_theme_and_plugin_templates(hall):
    templates = Templates(hall.hall)
    tenant = hall.hall.tenants.get("alpha")
    (tenant.path / "templates").mkdir(exist_ok=True)
    chain = templates.search_path(tenant)
    payments = next(d for d in chain if d.parts[-2:] == ("payments", "templates"))
    notices = next(d for d in chain if d.parts[-2:] == ("notices", "templates"))
    assert chain[0] == tenant.path / "templates"
    assert chain.index(notices) < chain.index(payments) < chain.index(CORE_TEMPLATES)
    (tenant.path / "templates" / "pay").mkdir()
    (tenant.path / "templates" / "pay" / "unavailable.html").write_text("tenant's own", encoding="utf-8")
    assert templates.env(tenant, "zh_CN").get_template("pay/unavailable.html").render() == "tenant's own"
    stock = templates.env(tenant, "zh_CN").get_template("core:pay/unavailable.html").filename
    assert stock.endswith("core/payments/templates/pay/unavailable.html")
