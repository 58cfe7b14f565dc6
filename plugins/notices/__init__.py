"""Notices (公告): operators publish announcements; customers see the latest on the home page."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from core.api import GROUP_SERVICE, HALL_VERSION, N_, Manifest, MenuItem, Panel, Permission, hookimpl


class NoticesSettings(BaseModel):
    """Settings of the notices plugin."""

    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not silently ignored

    max_on_home: int = Field(3, ge=0, le=20, description="How many notices the home page shows (0 hides the panel).")


MANIFEST = Manifest(
    name="notices",
    version=HALL_VERSION,
    description="Notices (公告): operators publish announcements; customers see the latest on the home page.",
    settings=NoticesSettings,
    database_app="plugins.notices.piccolo_app",
    permissions=[Permission("notices.manage", N_("Publish and edit notices"))],
    title=N_("Notices"),
)


@hookimpl
def register_routes(hall):
    from plugins.notices.routes import HANDLERS

    return HANDLERS


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [MenuItem(N_("Notices"), route="notices:manage", permission="notices.manage", order=50)]
    return [MenuItem(N_("Notices"), route="notices:list", order=50, group=GROUP_SERVICE)]


@hookimpl
def home_panels(hall, tenant, request, audience):
    from plugins.notices.services import latest

    limit = tenant.plugin_settings("notices").max_on_home
    if audience != "customer" or limit == 0:
        return None

    async def panel():
        return Panel("notices/panel.html", {"notices": await latest(limit)}, title=N_("Notices"), order=10)

    return panel


@hookimpl
def register_labels(hall):
    """Display names of the codes this plugin stores (audit actions, object types); its own name is MANIFEST.title."""
    return {
        "audit_action": {
            "notices.create": N_("Created a notice"),
            "notices.delete": N_("Deleted a notice"),
            "notices.publish": N_("Published a notice"),
            "notices.withdraw": N_("Withdrew a notice"),
        },
        "object_type": {"notice": N_("Notice")},
    }
