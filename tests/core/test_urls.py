"""Reverse routing (core/web/urls.py): every route is named, names reverse to the paths the app serves, with the tenant prefix."""

from __future__ import annotations

import re
import types

import pytest
from litestar import Request, get
from litestar.routes import HTTPRoute

from core.hookspecs import hookimpl
from core.testing import TenantSpec
from core.web.openapi import PATH as OPENAPI_PATH
from core.web.urls import UnknownRoute, route_path, route_templates, url_for

NAME = re.compile(r"^[a-z_]+:[a-z_]+(\.[a-z_]+)*$")
SAMPLE = {"int": 7, "str": "a b/c", "path": "x.css"}


def named_handlers(app) -> list:
    """Every handler the app mounts for a request path (Litestar's own OpenAPI routes and OPTIONS answers aside)."""
    out = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and not route.path.startswith(OPENAPI_PATH):
            out.extend((route.path, handler) for handler in route.route_handlers if handler.http_methods != {"OPTIONS"})
    return out


def test_every_route_has_a_unique_name_in_its_area(hall):
    handlers = named_handlers(hall.app)
    assert len(handlers) > 100
    unnamed = [path for path, h in handlers if not h.name]
    assert not unnamed, f"routes without name=: {unnamed}"
    bad = [h.name for _, h in handlers if not NAME.match(h.name)]
    assert not bad, f"names not <area>:<what>: {bad}"
    plugins = set(hall.hall.plugins.names()) - {"core"}
    for path, handler in handlers:
        top = path.strip("/").split("/")[0]
        if top in plugins:
            assert handler.name.startswith(top + ":"), (path, handler.name)


def test_route_path_agrees_with_litestar_for_every_route(hall):
    """The request-free reverse (mail links) gives exactly what the app's route_reverse gives, for every named route."""
    app = hall.app
    for name, template in route_templates(hall.hall).items():
        params = {p: SAMPLE[t] for p, t in re.findall(r"\{(\w+):(\w+)\}", template)}
        if "path" in {t for _, t in re.findall(r"\{(\w+):(\w+)\}", template)}:
            continue  # /static/{path:path}: served through static(), never reversed with a slash-free value
        expected = app.route_reverse(
            name,
            **{k: v.replace(" ", "%20").replace("/", "%2F") if isinstance(v, str) else v for k, v in params.items()},
        )
        expected += "/" if template.endswith("/") and expected != "/" else ""
        assert route_path(hall.hall, name, **params) == expected, name


def test_route_path_refuses_unknown_names_and_missing_parameters(hall):
    with pytest.raises(UnknownRoute, match="console:paymnts"):
        route_path(hall.hall, "console:paymnts")
    with pytest.raises(UnknownRoute, match="intent_id"):
        route_path(hall.hall, "console:payment")
    assert route_path(hall.hall, "billpay:index") == "/billpay/"


@get("/links", opt={"auth": "public"}, name="linktest:links")
async def links(request: Request) -> dict:
    out = {
        "payment": url_for(request, "console:payment", intent_id="pi/1 x"),
        "plugin_root": url_for(request, "billpay:index", query={"bill": "b:1", "skip": None}),
        "next": url_for(request, "auth:login", query={"next": "/t/alpha/bills/1/calls?month=2024-05"}),
        "other_tenant": url_for(request, "console:home", tenant="beta"),
        "home": url_for(request, "site:home"),
    }
    try:
        url_for(request, "console:paymnts")
    except UnknownRoute as exc:
        out["unknown"] = str(exc)
    return out


@pytest.fixture
def link_hall(hall_factory):
    plugin = types.SimpleNamespace(register_routes=hookimpl(lambda hall: [links]))
    return hall_factory(
        [TenantSpec("alpha", plugins=["linktest"]), TenantSpec("beta")], extra_plugins={"linktest": plugin}
    )


def test_url_for_encodes_parameters_and_keeps_plugin_root_slash(link_hall):
    got = link_hall.client("alpha").get("/linktest/links").json()
    assert got["payment"] == "/console/payments/pi%2F1%20x"
    assert got["plugin_root"] == "/billpay/?bill=b%3A1"
    assert got["next"] == "/login?next=/t/alpha/bills/1/calls%3Fmonth%3D2024-05"
    assert got["other_tenant"] == "/t/beta/console"
    assert got["home"] == "/"
    assert "console:paymnts" in got["unknown"]


def test_url_for_adds_the_tenant_prefix(link_hall):
    got = link_hall.client("alpha", via_prefix=True).get("/linktest/links").json()
    assert got["payment"] == "/t/alpha/console/payments/pi%2F1%20x"
    assert got["plugin_root"].startswith("/t/alpha/billpay/?")
    assert got["home"] == "/t/alpha/"


def test_plugin_route_names_must_carry_the_plugin_name(hall_factory):
    @get("/x", name="elsewhere:x")
    async def misnamed() -> str:
        return ""

    plugin = types.SimpleNamespace(register_routes=hookimpl(lambda hall: [misnamed]))
    with pytest.raises(ValueError, match="must start with 'oddly:'"):
        hall_factory([TenantSpec("alpha", plugins=["oddly"])], extra_plugins={"oddly": plugin})
