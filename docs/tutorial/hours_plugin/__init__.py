"""Opening hours (营业时间): when the counters and the hotline are open, per tenant."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Row:
    label: str  # message id, translated in the template
    span: str  # "08:30-17:30", or "" when closed


def hours_context(tenant) -> dict:
    """What hours/panel.html needs: the rows and the note of this tenant's settings."""
    settings: HoursSettings = tenant.plugin_settings("hours")
    rows = [
        Row(N_("Counters, Monday to Friday"), settings.weekdays),
        Row(N_("Counters, Saturday and Sunday"), settings.weekends),
        Row(N_("Hotline"), settings.hotline),
    ]
    return {"hours": rows, "hours_note": settings.note}


@hookimpl
def register_routes(hall):
    from .routes import HANDLERS

    return HANDLERS


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [MenuItem(N_("Opening hours"), route="hours:console", permission="hours.view", order=60)]
    return [MenuItem(N_("Opening hours"), route="hours:page", order=60)]


@hookimpl
def home_panels(hall, tenant, request, audience):
    if audience != "customer" or not tenant.plugin_settings("hours").on_home:
        return None
    return [Panel("hours/panel.html", hours_context(tenant), title=N_("Opening hours"), order=20)]
