"""A plugin's manifest: what it is, declared once, instead of boilerplate registration hooks.

A plugin module sets ``MANIFEST = Manifest(...)``. The plugin manager reads it
when it registers the module (core/plugins.py) and answers, for that plugin,
the registration hooks the manifest covers: ``register_settings`` (``settings``),
``register_db_app`` (``database_app``), ``register_permissions``
(``permissions``), and the plugin's display name in ``register_labels``
(``title``). A plugin without a manifest implements those hooks as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic import BaseModel

    from core.auth.permissions import Permission
    from core.hall import Hall

    SettingsSource = type[BaseModel] | Callable[[Hall], type[BaseModel]]

# registration hook → the manifest field that answers it for the plugin
COVERED_HOOKS = {
    "register_settings": "settings",
    "register_db_app": "database_app",
    "register_permissions": "permissions",
}


@dataclass(frozen=True)
class Manifest:
    """Name, version and description of a plugin, and what the core registers for it.

    ``settings`` is the pydantic model of ``[plugins.<name>]``, or a function of
    the hall returning one (when the schema depends on the other plugins).
    ``database_app`` is the dotted path of its Piccolo app module.
    ``permissions`` are the :class:`core.auth.permissions.Permission` it checks.
    ``title`` is the message id of its display name (the console's plugin lists).
    """

    name: str
    version: str
    description: str
    settings: SettingsSource | None = None
    database_app: str | None = None
    permissions: tuple[Permission, ...] = field(default=())
    title: str = ""

    def __post_init__(self) -> None:
        if not self.name or not self.version or not self.description:
            raise ValueError("a plugin manifest needs a name, a version and a description")
        object.__setattr__(self, "permissions", tuple(self.permissions))

    def answer(self, hookname: str, hall: Any) -> Any:
        """This plugin's answer to a covered registration hook (None: nothing to register)."""
        if hookname == "register_settings" and self.settings is not None:
            return self.settings if isinstance(self.settings, type) else self.settings(hall)
        if hookname == "register_db_app":
            return self.database_app
        if hookname == "register_permissions":
            return list(self.permissions) or None
        return None

    def labels(self, declared: dict | None) -> dict | None:
        """``register_labels``' answer with the display name added to the ``plugin`` domain."""
        if not self.title:
            return declared
        declared = dict(declared or {})
        declared["plugin"] = {**declared.get("plugin", {}), self.name: self.title}
        return declared


def manifest_of(plugin: Any) -> Manifest | None:
    """The plugin module's ``MANIFEST``, or None; anything else under that name is an error."""
    manifest = getattr(plugin, "MANIFEST", None)
    if manifest is not None and not isinstance(manifest, Manifest):
        raise ValueError(f"MANIFEST of {getattr(plugin, '__name__', plugin)!r} is not a core.manifest.Manifest")
    return manifest
