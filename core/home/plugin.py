"""The public home page, an always-on core plugin: the Home menu item and the customer home's own panels (core/home/panels.py)."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.i18n import N_
from core.web.menus import MenuItem


@hookimpl
def register_routes(hall):
    from core.home import routes

    return list(routes.HANDLERS)


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return None
    return [MenuItem(N_("Home"), route="site:home", order=0)]


@hookimpl
def home_panels(hall, tenant, request, audience):
    """Customers see their quick actions and open requests; visitors the services this hall offers."""
    if audience != "customer":
        return None
    from core.home.panels import actions_panel, open_requests_panel
    from core.web.context import info

    async def requests_panel():
        return await open_requests_panel(request, N_("My open requests"))

    signed_in = info(request).customer is not None
    return [
        actions_panel(request, N_("Quick actions") if signed_in else N_("What you can do here")),
        requests_panel if signed_in else None,
    ]
