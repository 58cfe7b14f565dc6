"""Build a hall with chosen tenants and plugins in a temporary folder, and talk to it over HTTP."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from core.hall import Hall
from core.tenancy import Tenant, tenant_scope
from core.testing.fakes import FakeConnector

REPO = Path(__file__).resolve().parents[2]
SECRET = "test-secret-not-for-production-0123456789"
PASSWORD = "Passw0rd!test"


@dataclass
class TenantSpec:
    """One tenant of a test hall. ``connector`` is the [connector] table; default: a FakeConnector."""

    id: str
    plugins: list[str] = field(default_factory=list)
    name: str = ""
    hosts: list[str] = field(default_factory=list)
    theme: str = "default"
    language: str = "zh_CN"
    connector: dict[str, Any] = field(default_factory=lambda: {"type": "fake"})
    plugin_settings: dict[str, dict] = field(default_factory=dict)
    legacy: dict[str, Any] = field(default_factory=dict)  # the [legacy] table (retention, reconciliation, staleness)
    payments: dict[str, Any] = field(default_factory=dict)  # the [payments] table ({"providers": ["fake"]})
    timezone: str = ""  # [tenant] timezone; empty: the default (Asia/Shanghai)
    sms: dict[str, Any] = field(default_factory=dict)  # the [sms] table ({"provider": "smpp", "smpp": {...}})
    environment: str = ""  # [tenant] environment: "production", "development" or "" (the deployment's)
    products: dict[str, Any] = field(default_factory=dict)  # the [products] table ({"offerings": [{...}, ...]})

    def __post_init__(self):
        self.name = self.name or f"{self.id} 测试营业厅"
        self.hosts = self.hosts or [f"{self.id}.test"]


def _toml_value(value: Any) -> str:
    """A TOML value; dicts become inline tables and lists hold any value (an array of tables: a list of dicts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _toml_key(key: str) -> str:
    """A key bare when TOML allows it, else quoted ("complaint/billing", "a.b")."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_table(name: str, values: dict, header: str = "") -> list[str]:
    lines = [header or f"[{name}]"]
    nested, arrays = [], []
    for k, v in values.items():
        if isinstance(v, dict):
            nested.append((f"{name}.{_toml_key(k)}", v))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            arrays.append((f"{name}.{_toml_key(k)}", v))  # an array of tables: [[name.key]]
        else:
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for sub, vals in nested:
        lines += ["", *_toml_table(sub, vals)]
    for sub, items in arrays:
        for item in items:
            lines += ["", *_toml_table(sub, item, header=f"[[{sub}]]")]
    return lines


def write_hall(
    root: Path,
    tenants: list[TenantSpec],
    *,
    database_url: str,
    mail_port: int = 8025,
    deployment: dict[str, dict] | None = None,
) -> Path:
    """Write hall.toml and tenants/<id>/tenant.toml under ``root``; themes are the repository's."""
    root.mkdir(parents=True, exist_ok=True)
    sections: dict[str, dict] = {
        "hall": {
            "default_theme": "default",
            "plugins": [],
            "tenants_dir": "tenants",
            "themes_dir": str(REPO / "themes"),
        },
        "database": {"url": database_url},
        "security": {"secret_key": SECRET},
        "mail": {"host": "127.0.0.1", "port": mail_port},
        "jobs": {"schedule_in_web": False},  # tests run jobs explicitly (harness.hall.jobs / run_now)
    }
    for key, values in (deployment or {}).items():
        sections.setdefault(key, {}).update(values)
    lines: list[str] = []
    for name, values in sections.items():
        lines += _toml_table(name, values) + [""]
    config = root / "hall.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    for spec in tenants:
        folder = root / "tenants" / spec.id
        folder.mkdir(parents=True, exist_ok=True)
        head = {
            "name": spec.name,
            "hosts": spec.hosts,
            "theme": spec.theme,
            "language": spec.language,
            "plugins": spec.plugins,
            **({"timezone": spec.timezone} if spec.timezone else {}),
            **({"environment": spec.environment} if spec.environment else {}),
        }
        body = _toml_table("tenant", head)
        body += [""] + _toml_table("connector", spec.connector)
        for plugin, values in spec.plugin_settings.items():
            body += [""] + _toml_table(f"plugins.{plugin}", values)
        if spec.legacy:
            body += [""] + _toml_table("legacy", spec.legacy)
        if spec.payments:
            body += [""] + _toml_table("payments", spec.payments)
        if spec.sms:
            body += [""] + _toml_table("sms", spec.sms)
        if spec.products:
            body += [""] + _toml_table("products", spec.products)
        (folder / "tenant.toml").write_text("\n".join(body) + "\n", encoding="utf-8")
    return config


class TenantClient:
    """An HTTP client for one tenant (its own cookies), with CSRF handled like a browser's form would."""

    def __init__(self, app, host: str, prefix: str = "", *, peer: str | None = None, scheme: str = "http"):
        self.prefix = prefix
        self.http = TestClient(app=app, base_url=f"{scheme}://{host}", raise_server_exceptions=False)
        if (
            peer is not None
        ):  # Litestar's test transport always says the peer is "testclient": give the scope another one
            transport = self.http._transport
            parse = transport.parse_request
            transport.parse_request = lambda request: {**parse(request), "client": (peer, 50000)}  # type: ignore[method-assign]
        self.http.__enter__()

    def close(self) -> None:
        self.http.__exit__(None, None, None)

    def url(self, path: str) -> str:
        return self.prefix + path

    def get(self, path: str, **kw):
        return self.http.get(self.url(path), **kw)

    def csrf(self) -> str:
        token = self.http.cookies.get("hall_csrf")
        if not token:
            self.get("/login")
            token = self.http.cookies.get("hall_csrf")
        return token

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, **kw):
        form = dict(data or {})
        if csrf:
            form.setdefault("_csrf_token", self.csrf())
        kw.setdefault("follow_redirects", False)
        return self.http.post(self.url(path), data=form, **kw)

    def login_customer(self, login: str, password: str = PASSWORD):
        r = self.post("/login", {"login": login, "password": password})
        assert r.status_code == 303, f"customer log-in failed: {r.status_code} {field_errors(r.text)}"
        return r

    def login_operator(self, username: str, password: str = PASSWORD):
        r = self.post("/console/login", {"username": username, "password": password})
        assert r.status_code == 303, f"operator log-in failed: {r.status_code} {field_errors(r.text)}"
        return r


def field_errors(html: str) -> list[str]:
    """The field errors a page shows (what a user reads next to the fields)."""
    return [re.sub(r"\s+", " ", m).strip() for m in re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', html, re.S)]


class HallHarness:
    """A running hall for tests: ``harness.client("alpha")``, ``harness.run(coro)``, ``harness.tenant("alpha")``."""

    def __init__(self, hall: Hall, connectors: dict[str, FakeConnector]):
        self.hall = hall
        self.connectors = connectors
        self.app = self.new_app()
        self._clients: list[TenantClient] = []
        self._loop = asyncio.new_event_loop()

    def new_app(self):
        from core.web.app import create_app

        return create_app(self.hall)

    def tenant(self, tenant_id: str) -> Tenant:
        tenant = self.hall.tenants.get(tenant_id)
        assert tenant is not None, f"no tenant {tenant_id}"
        return tenant

    def client(
        self, tenant_id: str, *, via_prefix: bool = False, peer: str | None = None, scheme: str = "http"
    ) -> TenantClient:
        """``peer``: the address the request comes from (default Litestar's "testclient"); ``scheme="https"`` for a direct TLS connection."""
        tenant = self.tenant(tenant_id)
        # One app per client, as one per worker process in production: a Litestar app runs one lifespan.
        client = TenantClient(
            self.new_app(),
            "127.0.0.9" if via_prefix else tenant.hosts[0],
            f"/t/{tenant_id}" if via_prefix else "",
            peer=peer,
            scheme=scheme,
        )
        self._clients.append(client)
        return client

    def run(self, coro):
        """Run a coroutine against the hall's database (outside any request)."""
        return self._loop.run_until_complete(coro)

    def in_tenant(self, tenant_id: str, coro_fn, *args, **kwargs):
        async def go():
            with tenant_scope(self.tenant(tenant_id)):
                return await coro_fn(*args, **kwargs)

        return self.run(go())

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()
        self.run(self.hall.db.disconnect())
        self._loop.close()
