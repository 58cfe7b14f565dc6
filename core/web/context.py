"""Per-request state the core keeps in the ASGI scope: tenant, base path, language, who is logged in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar.connection import ASGIConnection

from core.tenancy import Tenant
from core.web.client import client_address  # noqa: F401  (kept importable here; the one definition is core.web.client)

SCOPE_KEY = "hall.request"


@dataclass
class Principal:
    kind: str  # customer | operator | super
    id: int
    name: str
    session_id: int
    permissions: frozenset[str] = frozenset()
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def is_staff(self) -> bool:
        return self.kind in ("operator", "super")

    def can(self, permission: str | None) -> bool:
        return permission is None or self.kind == "super" or permission in self.permissions


@dataclass
class RequestInfo:
    tenant: Tenant
    base: str  # "" or "/t/<id>"
    language: str = "zh_CN"
    principal: Principal | None = None
    session_token: str | None = None
    new_language: str | None = None

    def url(self, path: str) -> str:
        return self.base + (path if path.startswith("/") else "/" + path)

    @property
    def customer(self) -> Principal | None:
        return self.principal if self.principal and self.principal.kind == "customer" else None

    @property
    def staff(self) -> Principal | None:
        return self.principal if self.principal and self.principal.is_staff else None


def info(connection: ASGIConnection) -> RequestInfo:
    return connection.scope[SCOPE_KEY]  # type: ignore[literal-required]
