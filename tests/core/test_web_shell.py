"""Tenant resolution, error pages, themes and branding, languages."""

from __future__ import annotations

from core.testing import TenantSpec


def test_unknown_host_gets_a_plain_404_page(hall):
    client = hall.client("alpha")
    r = client.http.get("/", headers={"host": "nobody.example"})
    assert r.status_code == 404
    assert "<html" in r.text and "Traceback" not in r.text
    assert "营业厅" in r.text  # translated: "No business hall is served at this address."


def test_prefix_resolves_the_tenant_on_a_shared_host(hall):
    client = hall.client("beta", via_prefix=True)
    page = client.get("/")
    assert page.status_code == 200
    assert "beta 测试营业厅" in page.text
    assert 'href="/t/beta/login"' in page.text  # links keep the prefix
    assert client.http.get("/t/nosuch/").status_code == 404


def test_missing_page_is_a_themed_404_not_a_trace(hall):
    r = hall.client("alpha").get("/no/such/page")
    assert r.status_code == 404
    assert "alpha 测试营业厅" in r.text and "Traceback" not in r.text


def test_json_callers_get_a_json_error(hall):
    r = hall.client("alpha").get("/no/such/page", headers={"accept": "application/json"})
    assert r.status_code == 404 and r.json()["status"] == 404 and r.json()["message"]


def test_branding_per_tenant(hall_factory, tmp_path):
    harness = hall_factory([TenantSpec("alpha"), TenantSpec("beta", theme="kiosk", language="en")])
    alpha = harness.client("alpha").get("/").text
    beta = harness.client("beta").get("/").text
    assert "kiosk.css" in beta and "kiosk.css" not in alpha
    assert 'lang="en"' in beta and 'lang="zh-CN"' in alpha
    assert "Log in" in beta and "登录" in alpha


def test_console_of_a_kiosk_tenant_keeps_the_desk_theme(hall_factory):
    """Issue 15 item 19: the kiosk theme (large touch targets) is for customers; its operators work at desks."""
    harness = hall_factory([TenantSpec("beta", theme="kiosk", language="en")])
    client = harness.client("beta")
    customer_page, console_page = client.get("/login").text, client.get("/console/login").text
    assert "kiosk.css" in customer_page and "22px" in customer_page
    assert "kiosk.css" not in console_page and "22px" not in console_page
    assert "hall.css" in console_page


def test_a_console_theme_that_does_not_exist_is_a_config_problem(tmp_path):
    from core.web.themes import load_themes

    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "theme.toml").write_text('[theme]\nconsole = "desk"\n', encoding="utf-8")
    themes, issues = load_themes(tmp_path)
    assert [(i.key, "desk" in i.reason) for i in issues] == [("theme.console", True)]


def test_template_chain_tenant_override_and_core_prefix(hall_factory):
    harness = hall_factory([TenantSpec("alpha"), TenantSpec("beta")])
    folder = harness.tenant("alpha").path / "templates"
    folder.mkdir()
    (folder / "home.html").write_text(
        '{% extends "core:home.html" %}{% block content %}<p id="override">OVERRIDDEN</p>{{ super() }}{% endblock %}',
        encoding="utf-8",
    )
    fresh = harness.client("alpha")
    page = fresh.get("/").text
    assert "OVERRIDDEN" in page and "hero" in page  # the override extends the stock template
    assert "OVERRIDDEN" not in harness.client("beta").get("/").text


def test_theme_static_resolves_through_parent_theme(hall_factory):
    harness = hall_factory([TenantSpec("alpha", theme="kiosk")])
    client = harness.client("alpha")
    assert client.get("/static/hall.css").status_code == 200  # from the parent (default) theme
    assert client.get("/static/kiosk.css").status_code == 200
    assert client.get("/static/../hall.toml").status_code == 404


def test_language_choice_is_per_user(hall):
    client = hall.client("alpha")
    assert "登录" in client.get("/login").text
    client.post("/language", {"language": "en", "next": "/login"})
    assert "Log in" in client.get("/login").text
    assert "登录" in hall.client("alpha").get("/login").text  # another visitor keeps the tenant default


def test_pages_declare_a_phone_viewport(hall):
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in hall.client("alpha").get("/").text
