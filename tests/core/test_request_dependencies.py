"""Handlers get the request's tenant, principal, hall and their plugin's settings as parameters (core/web/dependencies.py),
and list pages share one pager (core/web/paging.py)."""

from __future__ import annotations

import types

from litestar import Request, get
from litestar.response import Response
from pydantic import BaseModel

from core.hookspecs import hookimpl
from core.testing import TenantSpec
from core.web.dependencies import HallDep, NamedDependency, PrincipalDep, TenantDep


class GreetSettings(BaseModel):
    greeting: str = "hello"


@get("/", opt={"auth": "public"})
async def greet(
    request: Request,
    tenant: TenantDep,
    principal: PrincipalDep,
    hall: HallDep,
    settings: NamedDependency[GreetSettings],
) -> Response:
    return Response(
        f"{settings.greeting} {tenant.id} {principal is None} {hall is request.app.state.hall}", media_type="text/plain"
    )


@get("/rows", opt={"auth": "public"})
async def rows(request: Request) -> Response:
    from core.auth.tables import Customer
    from core.web.paging import paginate

    page = await paginate(request, Customer.select(Customer.id).order_by(Customer.id), per_page=2)
    return Response(f"{len(page.rows)} {page.number} {page.more} {page.url(page.number + 1)}", media_type="text/plain")


def _plugin():
    plugin = types.SimpleNamespace()
    plugin.register_settings = hookimpl(lambda hall: GreetSettings)
    plugin.register_routes = hookimpl(lambda hall: [greet, rows])
    return plugin


def test_handlers_receive_tenant_principal_hall_and_their_settings(hall_factory):
    harness = hall_factory(
        [
            TenantSpec("alpha", plugins=["greet"], plugin_settings={"greet": {"greeting": "你好"}}),
            TenantSpec("beta", plugins=["greet"]),
        ],
        extra_plugins={"greet": _plugin()},
    )
    assert harness.client("alpha").get("/greet/").text == "你好 alpha True True"
    assert harness.client("beta").get("/greet/").text == "hello beta True True"  # each tenant its own settings


def test_paginate_fetches_one_row_more_and_keeps_the_query_string(hall_factory):
    from core.testing import make_customer, register_customer

    harness = hall_factory([TenantSpec("alpha", plugins=["greet"])], extra_plugins={"greet": _plugin()})
    for n in range(3):
        register_customer(harness, "alpha", make_customer(n))
    client = harness.client("alpha")
    assert client.get("/greet/rows?q=x").text == "2 1 True ?q=x&page=2"
    assert client.get("/greet/rows?q=x&page=2").text == "1 2 False ?q=x&page=3"
    assert client.get("/greet/rows?page=%C2%B2").status_code == 400  # "²" is not a page number
