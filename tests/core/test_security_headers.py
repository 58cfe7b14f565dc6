"""Security headers on every page, HSTS and Secure cookies on HTTPS, and who the client is behind a proxy."""

from __future__ import annotations

import re

from core.config import ConfigError
from core.hall import Hall
from core.testing import PASSWORD, TenantSpec, add_operator, write_hall

BASIC = {
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-content-type-options": "nosniff",
}


def _policy(response) -> dict[str, str]:
    csp = response.headers["content-security-policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in (p.strip() for p in csp.split(";")) if d}


def _assert_secured(response) -> None:
    for name, value in BASIC.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    policy = _policy(response)
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-inline'" not in policy["style-src"]


def _nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", _policy(response)["script-src"]).group(1)


def test_portal_console_and_error_pages_carry_the_headers(hall):
    client = hall.client("alpha")
    home = client.get("/")
    _assert_secured(home)
    add_operator(hall, "alpha", "chief")
    client.login_operator("chief")
    console = client.get("/console/audit")
    assert console.status_code == 200
    _assert_secured(console)
    for response in (
        client.get("/no/such/page"),
        client.http.get("/", headers={"host": "nobody.example"}),
        client.get("/static/hall.css"),
    ):
        _assert_secured(response)
    assert "strict-transport-security" not in home.headers, "plain HTTP from an untrusted peer: no HSTS"


def test_pages_use_no_inline_script_or_handler_and_styles_carry_the_nonce(hall):
    page = hall.client("alpha").get("/")
    html = page.text
    assert not re.search(r"\son[a-z]+=", html), "inline event handlers are blocked by the CSP"
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html), "inline script without src"
    nonce = _nonce(page)
    assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<style[^>]*>", html))
    assert _nonce(hall.client("alpha").get("/")) != nonce, "a fresh nonce per response"


def test_no_secure_cookie_or_hsts_from_an_untrusted_peer_claiming_https(hall_factory):
    harness = hall_factory([TenantSpec("alpha")], deployment={"server": {"trusted_proxies": ["10.0.0.0/8"]}})
    client = harness.client("alpha", peer="192.0.2.50")  # not a proxy of ours: its X-Forwarded-Proto is not believed
    r = client.get("/login", headers={"x-forwarded-proto": "https"})
    assert "strict-transport-security" not in r.headers
    assert r.headers.get("set-cookie") and "secure" not in r.headers["set-cookie"].lower()


def test_secure_cookies_and_hsts_behind_a_trusted_proxy_on_https(hall_factory):
    harness = hall_factory([TenantSpec("alpha")], deployment={"server": {"trusted_proxies": ["10.0.0.0/8"]}})
    client = harness.client("alpha", peer="10.1.2.3")
    r = client.get("/login", headers={"x-forwarded-proto": "https"})
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    cookies = r.headers.get_list("set-cookie")
    assert cookies and all("; Secure" in c for c in cookies), cookies
    plain = client.get("/login", headers={"x-forwarded-proto": "http"})
    assert "strict-transport-security" not in plain.headers


def test_direct_https_gets_hsts_and_secure_session_cookie(hall_factory):
    harness = hall_factory([TenantSpec("alpha")])
    add_operator(harness, "alpha", "chief")
    client = harness.client("alpha", scheme="https")
    login = client.post("/console/login", {"username": "chief", "password": PASSWORD})
    assert login.status_code == 303
    session = [c for c in login.headers.get_list("set-cookie") if c.startswith("hall_session=")]
    assert session and "; Secure" in session[0] and "HttpOnly" in session[0]
    assert login.headers["strict-transport-security"].startswith("max-age=")


def test_untrusted_forwarded_for_is_ignored_and_trusted_one_believed(hall_factory):
    from core.audit import AuditLog

    harness = hall_factory(
        [TenantSpec("alpha")], deployment={"server": {"trusted_proxies": ["10.0.0.0/8", "fd00::/8"]}}
    )
    add_operator(harness, "alpha", "chief")

    def address_logged(client) -> str:
        client.login_operator("chief")
        client.post("/console/roles/new", {"name": f"r{len(seen)}", "permissions": ["core.messages.view"]})
        rows = harness.in_tenant(
            "alpha",
            lambda: AuditLog.select(AuditLog.address).where(AuditLog.action == "role.create").order_by(AuditLog.id),
        )
        return rows[-1]["address"]

    seen: list[str] = []
    seen.append(address_logged(harness.client("alpha", peer="192.0.2.50")))
    assert seen[-1] == "192.0.2.50"  # the forged header below is not believed from an untrusted peer
    spoof = harness.client("alpha", peer="192.0.2.50")
    spoof.http.headers["x-forwarded-for"] = "203.0.113.99"
    seen.append(address_logged(spoof))
    assert seen[-1] == "192.0.2.50"
    proxied = harness.client("alpha", peer="10.0.0.7")
    proxied.http.headers["x-forwarded-for"] = (
        "198.51.100.1, 203.0.113.5, 10.9.9.9"  # client, then another untrusted hop, then our proxy
    )
    seen.append(address_logged(proxied))
    assert seen[-1] == "203.0.113.5", "the nearest untrusted hop is the client (the left ones can be forged)"


def test_bad_trusted_proxy_names_file_key_and_reason(tmp_path):
    config = write_hall(
        tmp_path,
        [TenantSpec("alpha", connector={})],
        database_url=f"sqlite:///{tmp_path}/h.sqlite3",
        deployment={"server": {"trusted_proxies": ["10.0.0.0/8", "10.0.0.300/33"]}},
    )
    try:
        Hall.from_config(config, connect_tenants=False)
    except ConfigError as exc:
        issues = [str(i) for i in exc.issues]
    else:
        raise AssertionError("a bad CIDR must be refused")
    assert any(
        "hall.toml" in i and "server.trusted_proxies" in i and "10.0.0.300/33" in i and "CIDR" in i for i in issues
    ), issues
