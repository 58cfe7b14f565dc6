"""Permissions are declared by plugins (and the core) through ``register_permissions``; roles bundle them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Permission:
    code: str  # "<plugin>.<thing>.<verb>"
    label: str  # message id


def all_permissions(hall) -> dict[str, list[Permission]]:
    """{plugin name: its permissions}, for the role editor; the core's always-on plugins' together under ``core``."""
    from core.plugins import is_always_on

    out: dict[str, list[Permission]] = {}
    for plugin, perms in sorted(hall.plugins.per_plugin("register_permissions", hall=hall).items()):
        out.setdefault("core" if is_always_on(plugin) else plugin, []).extend(perms)
    return out


def known_codes(hall) -> set[str]:
    return {p.code for perms in all_permissions(hall).values() for p in perms}
