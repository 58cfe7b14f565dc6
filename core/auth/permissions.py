"""Permissions are declared by plugins (and the core) through ``register_permissions``; roles bundle them."""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import N_


@dataclass(frozen=True)
class Permission:
    code: str  # "<plugin>.<thing>.<verb>"
    label: str  # message id


CORE_PERMISSIONS = [
    Permission("core.operators.manage", N_("Manage operators and roles")),
    Permission("core.audit.view", N_("Read the audit log")),
    Permission("core.messages.view", N_("Read the message outbox (e-mail and SMS)")),
    Permission("core.customers.view", N_("Look up customers")),
    Permission("core.sync.manage", N_("See the legacy sync, retry quarantined rows and start a sync")),
    Permission("core.outbox.manage", N_("See the outbox to the legacy system and replay dead events")),
    Permission("core.payments.view", N_("See payments, their ledger and refunds")),
    Permission("core.payments.refund", N_("Refund payments")),
]


def all_permissions(hall) -> dict[str, list[Permission]]:
    """{plugin name: its permissions}, for the role editor."""
    out: dict[str, list[Permission]] = {}
    for plugin, perms in sorted(hall.plugins.per_plugin("register_permissions", hall=hall).items()):
        out[plugin] = list(perms)
    return out


def known_codes(hall) -> set[str]:
    return {p.code for perms in all_permissions(hall).values() for p in perms}
