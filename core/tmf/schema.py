"""Each tenant's OpenAPI 3.1 document of the public API, made from the code: Litestar's description of the routes,
cut down to ``/api/tmf/v4`` (never a console or portal route) and to the plugins the tenant enables, with the
tenant's address and its OAuth flows."""

from __future__ import annotations

import copy
import re
from typing import Any

from litestar import Request

from core.tmf import PREFIX
from core.tmf.scopes import SCOPES
from core.web.context import info
from core.web.urls import url_for

_PARAM = re.compile(r"\{(\w+):\w+\}")


def _disabled(request: Request) -> set[tuple[str, str]]:
    """(path, method) of API routes of plugins the tenant has not enabled."""
    tenant = info(request).tenant
    out = set()
    for route in request.app.routes:
        for handler in getattr(route, "route_handlers", []):
            plugin = handler.opt.get("plugin")
            if plugin and not tenant.enables(plugin):
                for method in handler.http_methods:
                    out.add((_PARAM.sub(r"{\1}", route.path), method.lower()))
    return out


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _used_schemas(paths: dict, schemas: dict) -> dict:
    found: set[str] = set()
    _refs(paths, found)
    todo = list(found)
    while todo:
        name = todo.pop()
        more: set[str] = set()
        _refs(schemas.get(name, {}), more)
        for extra in more - found:
            found.add(extra)
            todo.append(extra)
    return {name: schemas[name] for name in sorted(found) if name in schemas}


def tenant_document(request: Request) -> dict:
    full = request.app.openapi_schema.to_schema()
    off = _disabled(request)
    paths = {}
    for path, item in full.get("paths", {}).items():
        if not path.startswith(PREFIX + "/"):
            continue
        kept = {m: op for m, op in item.items() if (path, m) not in off}
        if any(m in kept for m in ("get", "post", "put", "patch", "delete")):
            paths[path[len(PREFIX) :]] = kept
    base = f"{request.url.scheme}://{request.url.netloc}{info(request).base}"
    flows = {
        "authorizationCode": {
            "authorizationUrl": base + url_for(request, "api:authorize").removeprefix(info(request).base),
            "tokenUrl": base + url_for(request, "api:token").removeprefix(info(request).base),
            "scopes": dict(SCOPES),
        },
        "clientCredentials": {
            "tokenUrl": base + url_for(request, "api:token").removeprefix(info(request).base),
            "scopes": dict(SCOPES),
        },
    }
    schemas = _used_schemas(paths, full.get("components", {}).get("schemas", {}))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{info(request).tenant.display_name('en')} · TM Forum Open API",
            "version": "4.0.0",
            "description": "See docs/api.md.",
        },
        "servers": [{"url": base + PREFIX}],
        "paths": copy.deepcopy(paths),
        "components": {"schemas": schemas, "securitySchemes": {"oauth2": {"type": "oauth2", "flows": flows}}},
        "security": [{"oauth2": []}],
    }
