"""The Piccolo apps of a deployment: the core's first, then every plugin's that has tables, by plugin name.

Needs only the plugin manager, not the hall, so Piccolo's CLI can list the apps
(core.db.piccolo_conf) without building the whole hall.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.plugins import HallPluginManager

CORE_APP = "core.db.piccolo_app"


def app_modules(plugins: HallPluginManager, hall: Any = None) -> list[str]:
    """Dotted paths of the Piccolo app modules (a plugin's ``MANIFEST.database_app`` or its ``register_db_app``)."""
    return [CORE_APP, *(module for _plugin, module in sorted(plugins.per_plugin("register_db_app", hall=hall).items()))]
