"""Plugins: per-tenant enablement, discovery, hook validation."""

from __future__ import annotations

import types

import pytest
from litestar import get

from core import __version__
from core.config import ConfigError
from core.hall import Hall
from core.hookspecs import hookimpl
from core.plugins import HallPluginManager
from core.testing import TenantSpec, add_operator, write_hall
from core.web.menus import MenuItem


def test_disabled_plugin_pages_answer_404_for_that_tenant_only(hall):
    alpha, beta = hall.client("alpha"), hall.client("beta")
    assert alpha.get("/notices/").status_code == 200
    assert beta.get("/notices/").status_code == 404
    assert "通知公告" in alpha.get("/").text or "公告" in alpha.get("/").text
    home_beta = beta.get("/").text
    assert 'href="/notices/"' not in home_beta  # menu item gone
    assert 'class="notice-list"' not in home_beta  # panel gone


def test_disabled_plugin_console_menu_and_pages_disappear(hall):
    add_operator(hall, "alpha", "op-a")
    add_operator(hall, "beta", "op-b")
    a, b = hall.client("alpha"), hall.client("beta")
    a.login_operator("op-a")
    b.login_operator("op-b")
    assert 'href="/notices/manage"' in a.get("/console").text
    assert 'href="/notices/manage"' not in b.get("/console").text
    assert b.get("/notices/manage").status_code == 404


def test_operator_menu_hides_items_without_permission(hall):
    add_operator(hall, "alpha", "reader", permissions=["core.audit.view"])
    client = hall.client("alpha")
    client.login_operator("reader")
    console = client.get("/console").text
    assert 'href="/console/audit"' in console
    assert 'href="/console/operators"' not in console
    assert client.get("/console/operators").status_code == 403


def test_extra_plugin_routes_are_mounted_under_its_name_and_guarded(hall_factory):
    @get("/", opt={"auth": "public"})
    async def hello() -> str:
        return "hello from the test plugin"

    class HelloPlugin:
        @hookimpl
        def register_routes(self, hall):
            return [hello]

        @hookimpl
        def menu_items(self, hall, tenant, request, audience):
            return [MenuItem("Home", "/hello/")] if audience == "customer" else []

    plugin = HelloPlugin()
    harness = hall_factory(
        [TenantSpec("alpha", plugins=["hello"]), TenantSpec("beta")], extra_plugins={"hello": plugin}
    )
    assert harness.client("alpha").get("/hello/").text == "hello from the test plugin"
    assert harness.client("beta").get("/hello/").status_code == 404
    assert 'href="/hello/"' in harness.client("alpha").get("/").text
    assert 'href="/hello/"' not in harness.client("beta").get("/").text


def test_plugin_routes_default_to_customer_only(hall_factory):
    @get("/secret")
    async def secret() -> str:
        return "customer-only"

    plugin = types.SimpleNamespace(register_routes=hookimpl(lambda hall: [secret]))
    harness = hall_factory([TenantSpec("alpha", plugins=["private"])], extra_plugins={"private": plugin})
    r = harness.client("alpha").get("/private/secret", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_misspelled_hook_stops_start_up(tmp_path):
    config = write_hall(tmp_path, [TenantSpec("alpha", connector={})], database_url=f"sqlite:///{tmp_path}/h.sqlite3")
    typo = types.SimpleNamespace(menu_itemz=hookimpl(lambda hall: []))
    with pytest.raises(ConfigError) as exc:
        Hall.from_config(config, extra_plugins={"typo": typo})
    assert "unknown hook" in str(exc.value) and "menu_itemz" in str(exc.value)


def test_outside_plugins_load_through_the_entry_point_group(monkeypatch):
    import importlib.metadata as md

    module = types.ModuleType("outside_plugin")
    module.__doc__ = "An outside plugin shipped as its own package."
    module.register_permissions = hookimpl(lambda hall: [])

    class EP:
        name = "outside"
        dist = types.SimpleNamespace(name="hall-outside")

        def load(self):
            return module

    monkeypatch.setattr(md, "entry_points", lambda group=None: [EP()] if group == "hall" else [])
    manager = HallPluginManager()
    manager.load_entrypoints()
    assert manager.names() == ["outside"]
    assert manager.info("outside").source == "entry point hall-outside"


def test_test_plugin_fixture_unregisters(hall, test_plugin):
    marker = types.SimpleNamespace(register_permissions=hookimpl(lambda hall: []))
    test_plugin(marker, "temporary")
    assert hall.hall.plugins.has("temporary")


def test_previous_test_plugin_is_gone(hall):
    assert not hall.hall.plugins.has("temporary")


def test_hall_plugins_command_lists_tenants(tmp_path):
    import os
    import subprocess
    import sys

    config = write_hall(
        tmp_path,
        [TenantSpec("alpha", plugins=["notices"], connector={}), TenantSpec("beta", connector={})],
        database_url=f"sqlite:///{tmp_path}/h.sqlite3",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    out = subprocess.run(
        [sys.executable, "-m", "core.cli", "--config", str(config), "plugins"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    line = next(row for row in out.stdout.splitlines() if "notices" in row)
    assert "alpha" in line and "beta" not in line
    assert __version__ in line and "Notices (公告)" in line  # version and description from the manifest


def test_home_panels_render_with_their_own_context(hall):
    add_operator(hall, "alpha", "op-panel")
    op = hall.client("alpha")
    op.login_operator("op-panel")
    op.post("/notices/manage", {"title": "春节营业时间调整", "body": "详见公告", "published": "on"})
    assert "春节营业时间调整" in hall.client("alpha").get("/").text  # the notices panel on the customer home
    console = op.get("/console").text
    assert "Customers synced" in console or "已同步客户" in console  # the core's status panel for operators
