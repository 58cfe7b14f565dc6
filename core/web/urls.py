"""Reverse routing: every link, redirect and menu item names a route (``"console:payment"``), never a literal path.

Every route handler has a unique ``name`` (``<area>:<what>`` for the core, ``<plugin>:<what>`` for a plugin),
and ``url_for(request, name, **path_params)`` turns it back into the URL the browser needs: Litestar's
``route_reverse`` (which knows where a plugin's router is mounted) plus the tenant's ``/t/<id>`` prefix when
the request came that way. Moving a route then moves every link to it, and a misspelled name fails loudly
the first time the page renders. Templates call the same function as ``url(name, **path_params)``.

``route_path(hall, name, **path_params)`` gives the path without a request (a mail's unsubscribe link): it
reads the same handlers the app mounts, and a test checks it agrees with ``route_reverse`` for every route.
"""

from __future__ import annotations

import re
from typing import Any, Mapping
from urllib.parse import quote, urlencode

from litestar.connection import ASGIConnection
from litestar.exceptions import NoRouteMatchFoundException

from core.web.context import info

TENANT_PREFIX = "/t/"
_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
_TEXT_PARAMETER = re.compile(r"\{(\w+):str\}")


class UnknownRoute(LookupError):
    """A link names a route that does not exist (a typo, or the plugin that declares it is not installed)."""


def _encoded(params: Mapping[str, Any], template: str = "") -> dict[str, Any]:
    """Path parameter values as they go into a path: text percent-encoded (a ``/`` or ``?`` in an id stays inside its segment).

    A ``{x:str}`` parameter takes any value as its text (a number stored as an integer is still a valid id);
    a ``{x:int}`` one must be an int.
    """
    text = set(_TEXT_PARAMETER.findall(template))
    out = {}
    for key, value in params.items():
        out[key] = quote(str(value), safe="") if key in text or isinstance(value, str) else value
    return out


def query_string(query: Mapping[str, Any] | None) -> str:
    """``?a=1&b=x`` from a mapping, leaving out None values; "" when nothing is left. ``/`` stays readable (``next=/bills/``)."""
    pairs = [(k, v) for k, v in (query or {}).items() if v is not None]
    return "?" + urlencode(pairs, safe="/", quote_via=quote) if pairs else ""


def path_for(connection: ASGIConnection, name: str, **path_params: Any) -> str:
    """The path of route ``name`` inside the tenant (no /t/<id> prefix): what ``next=`` defaults and path checks compare with."""
    template = route_templates(connection.app.state.hall).get(name, "")
    try:
        path = connection.app.route_reverse(name, **_encoded(path_params, template))
    except NoRouteMatchFoundException as exc:
        raise UnknownRoute(f"no route named {name!r} with parameters {sorted(path_params)}: {exc}") from None
    if path != "/" and template.endswith("/"):
        path += "/"  # a plugin's root page keeps its declared slash (/billpay/, not /billpay)
    return path


def url_for(
    connection: ASGIConnection,
    name: str,
    *,
    query: Mapping[str, Any] | None = None,
    tenant: str | None = None,
    **path_params: Any,
) -> str:
    """The URL of route ``name`` in this request's tenant (or in ``tenant``, by its /t/<id> prefix), with ``query`` appended.

    ``path_params`` fill the route's parameters: an int for ``{x:int}``, any value (as text, percent-encoded) for
    ``{x:str}``. ``query`` and ``tenant`` are therefore not usable as path parameter names.
    """
    base = TENANT_PREFIX + tenant if tenant is not None else info(connection).base
    return base + path_for(connection, name, **path_params) + query_string(query)


def template_url(connection: ASGIConnection):
    """``url(name, **params)`` for templates: ``url_for`` bound to the request being rendered."""

    def url(name: str, *, query: Mapping[str, Any] | None = None, tenant: str | None = None, **path_params: Any) -> str:
        return url_for(connection, name, query=query, tenant=tenant, **path_params)

    return url


def route_templates(hall) -> dict[str, str]:
    """Route name → declared path (``/billmail/unsubscribe/{token:str}``, ``/billpay/``) of every named handler the app mounts."""
    cached = hall.state.get("core.route_templates")
    if cached is not None:
        return cached
    from core.plugins import is_always_on
    from core.web import public_pages

    groups = [("", public_pages.HANDLERS)]
    groups += [
        ("" if is_always_on(plugin) else f"/{plugin}", handlers)
        for plugin, handlers in sorted(hall.plugins.per_plugin("register_routes", hall=hall).items())
    ]
    table: dict[str, str] = {}
    for prefix, handlers in groups:
        for handler in handlers:
            if handler.name:
                path = sorted(handler.paths, key=lambda p: -p.count("{"))[0]
                table[handler.name] = prefix + path
    hall.state["core.route_templates"] = table
    return table


def route_path(hall, name: str, **path_params: Any) -> str:
    """The path of route ``name`` (no tenant prefix), for code that runs outside a request."""
    template = route_templates(hall).get(name)
    if template is None:
        raise UnknownRoute(f"no route named {name!r}")
    values = _encoded(path_params, template)
    missing = [p for p in _PARAMETER.findall(template) if p not in values]
    if missing:
        raise UnknownRoute(f"route {name!r} needs {missing}")
    return _PARAMETER.sub(lambda m: str(values[m.group(1)]), template)
