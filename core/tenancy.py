"""Tenants at run time: who they are, how a request finds its tenant, and the current tenant.

The current tenant lives in a context variable set for each request (and by
``tenant_scope`` for jobs and commands); :class:`core.db.TenantTable` reads it to
scope every query, so no query can forget to filter.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel

_current: contextvars.ContextVar["Tenant | None"] = contextvars.ContextVar("hall_tenant", default=None)


@dataclass(frozen=True)
class Brand:
    logo: str
    primary_colour: str
    accent_colour: str
    hotline: str
    footer: str


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str
    name_en: str
    hosts: tuple[str, ...]
    theme: str
    language: str
    brand: Brand
    plugins: frozenset[str]
    path: Path
    connector: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    settings: dict[str, BaseModel] = field(default_factory=dict, hash=False, compare=False)
    timezone: str = "Asia/Shanghai"
    legacy: Any = field(default=None, hash=False, compare=False)  # core.config.schema.LegacySection; None = defaults
    sms: Any = field(default=None, hash=False, compare=False)  # core.config.sms.SmsSection; None = defaults (demo)
    environment: str = "development"  # or "production": [tenant] environment, else [hall] environment

    def enables(self, plugin: str) -> bool:
        return plugin in self.plugins

    def plugin_settings(self, plugin: str) -> BaseModel | None:
        return self.settings.get(plugin)

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


def current_tenant() -> Tenant | None:
    return _current.get()


def require_tenant() -> Tenant:
    tenant = _current.get()
    if tenant is None:
        raise LookupError("no current tenant: wrap the code in core.tenancy.tenant_scope(tenant)")
    return tenant


@contextmanager
def tenant_scope(tenant: Tenant) -> Iterator[Tenant]:
    """Run a block (a job, a command, a test) as ``tenant``."""
    token = _current.set(tenant)
    try:
        yield tenant
    finally:
        _current.reset(token)


def set_request_tenant(tenant: Tenant | None) -> contextvars.Token:
    return _current.set(tenant)


class TenantDirectory:
    """Finds a tenant by Host header or by the ``/t/<id>/`` path prefix."""

    def __init__(self, tenants: dict[str, Tenant]):
        self.by_id = dict(tenants)
        self.by_host = {h.lower(): t for t in tenants.values() for h in t.hosts}

    def __iter__(self):
        return iter(self.by_id.values())

    def __len__(self):
        return len(self.by_id)

    def get(self, tenant_id: str) -> Tenant | None:
        return self.by_id.get(tenant_id)

    def for_host(self, host: str | None) -> Tenant | None:
        if not host:
            return None
        name = host.strip().lower()
        if name.startswith("["):  # [::1]:8000
            name = name.split("]")[0] + "]"
        else:
            name = name.rsplit(":", 1)[0] if name.count(":") == 1 else name
        return self.by_host.get(name)

    def split_prefix(self, path: str) -> tuple[Tenant | None, str]:
        """``/t/<id>/rest`` → (tenant, ``/rest``); anything else → (None, path)."""
        if not path.startswith("/t/"):
            return None, path
        rest = path[3:]
        tid, _, tail = rest.partition("/")
        tenant = self.by_id.get(tid)
        if tenant is None:
            return None, path
        return tenant, "/" + tail
