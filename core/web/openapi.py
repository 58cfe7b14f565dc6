"""The OpenAPI description of the hall's routes: for super-admins only, never for customers.

Litestar serves one at ``/schema`` to whoever passes the app's guard, and
``hall_guard`` lets every logged-in customer through a route without ``opt``:
the list of console and admin routes was theirs to read. Here it lives under
``/console/openapi`` (``/console/openapi/openapi.json``) with ``auth = "super"``.
A public API for customers or partners, when there is one, gets its own schema
of its own routes; this one describes everything and stays with the operators.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from litestar import Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin

PATH = "/console/openapi"


def _version() -> str:
    try:
        return version("hall")
    except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
        return "0"


def openapi_config() -> OpenAPIConfig:
    router = Router(PATH, route_handlers=[], opt={"auth": "super"}, include_in_schema=False)
    return OpenAPIConfig(title="Hall", version=_version(), openapi_router=router, render_plugins=[JsonRenderPlugin()])
