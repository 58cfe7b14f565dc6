"""Opening hours (营业时间): when the counters and the hotline are open, per tenant."""

from __future__ import annotations

from core.api import N_, Manifest, MenuItem, Panel, Permission, hookimpl

from .settings import HoursSettings

MANIFEST = Manifest(
    name="hours",
    version="0.1.0",
    description="Opening hours (营业时间): when the counters and the hotline are open, per tenant.",
    settings=HoursSettings,
    permissions=[Permission("hours.view", N_("See the opening hours settings"))],
    title=N_("Opening hours"),
)


@hookimpl
def register_routes(hall):
    from . import routes_console, routes_customer

    return [*routes_customer.HANDLERS, *routes_console.HANDLERS]


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [MenuItem(N_("Opening hours"), route="hours:console", permission="hours.view", order=60)]
    return [MenuItem(N_("Opening hours"), route="hours:page", order=60)]


@hookimpl
def home_panels(hall, tenant, request, audience):
    from .services import hours_context

    settings = tenant.plugin_settings("hours")
    if audience != "customer" or not settings.on_home:
        return None
    return [Panel("hours/panel.html", hours_context(settings), title=N_("Opening hours"), order=20)]
