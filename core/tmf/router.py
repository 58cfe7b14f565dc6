"""The API's router: the core's resources and every plugin's (``register_api_routes``) under ``/api/tmf/v4``, behind
the bearer guard, with TM Forum's error bodies and without CSRF (no cookies are read)."""

from __future__ import annotations

from litestar import Router

from core.plugins import is_always_on
from core.tmf import PREFIX
from core.tmf.caller import EXCEPTION_HANDLERS, api_guard


def core_resources() -> list:
    from core.tmf import (
        orders,
        routes_billing,
        routes_hub,
        routes_kiosk,
        routes_party,
        routes_payments,
        routes_products,
        routes_tickets,
    )

    return [
        *routes_billing.HANDLERS,
        *routes_party.HANDLERS,
        *routes_payments.HANDLERS,
        *routes_products.HANDLERS,
        *routes_tickets.HANDLERS,
        *routes_hub.HANDLERS,
        *routes_kiosk.HANDLERS,
        *orders.HANDLERS,
    ]


def plugin_resources(hall) -> list:
    """Each plugin's resources in a router of its own, so a tenant that has not enabled the plugin gets 404."""
    routers = []
    from core.tmf.orders import ProductOrderKind
    from core.utils import flatten

    for name, declared in sorted(hall.plugins.per_plugin("register_api_routes", hall=hall).items()):
        handlers = [h for h in flatten([declared]) if not isinstance(h, ProductOrderKind)]  # kinds: core/tmf/orders.py
        if not handlers:
            continue
        if is_always_on(name):
            routers += handlers
            continue
        misnamed = [h.name for h in handlers if not (h.name or "").startswith(name + ":")]
        if misnamed:
            raise ValueError(f"plugin {name!r}: API route names must start with {name + ':'!r}, not {misnamed}")
        routers.append(Router(path="/", route_handlers=list(handlers), opt={"plugin": name}))
    return routers


def api_router(hall) -> Router:
    return Router(
        path=PREFIX,
        route_handlers=[*core_resources(), *plugin_resources(hall)],
        guards=[api_guard],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        opt={"auth": "public", "exclude_from_csrf": True, "api": "bearer"},
    )
