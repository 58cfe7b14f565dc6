"""The console shell, an always-on core plugin: console home, customers, messages, audit log, tenants, and the core's housekeeping jobs."""

from __future__ import annotations

from core.auth.permissions import Permission
from core.hookspecs import hookimpl
from core.i18n import N_
from core.web.menus import MenuItem, Panel

PERMISSIONS = [
    Permission("core.audit.view", N_("Read the audit log")),
    Permission("core.messages.view", N_("Read the message outbox (e-mail and SMS)")),
    Permission("core.customers.view", N_("Look up customers")),
]


@hookimpl
def register_routes(hall):
    from core.console import routes, routes_customer_view

    return [*routes.HANDLERS, *routes_customer_view.HANDLERS]


@hookimpl
def register_jobs(hall):
    """Message delivery, SMS delivery reports and housekeeping (core/jobs/builtin.py)."""
    from core.jobs.builtin import CORE_JOBS

    return list(CORE_JOBS)


@hookimpl
def register_permissions(hall):
    return PERMISSIONS


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience != "operator":
        return None
    return [
        MenuItem(N_("Console home"), route="console:home", order=0),
        MenuItem(N_("Customers"), route="console:customers", permission="core.customers.view", order=900),
        MenuItem(N_("Messages"), route="console:messages", permission="core.messages.view", order=910),
        MenuItem(N_("Audit log"), route="console:audit", permission="core.audit.view", order=940),
        MenuItem(N_("All tenants"), route="console:tenants", permission="core.super", order=990),
    ]


@hookimpl
def home_panels(hall, tenant, request, audience):
    """Operators see the state of the legacy sync and of the message outbox on their home page."""
    if audience != "operator":
        return None

    async def panel():
        from core.auth.tables import Customer, CustomerAccount
        from core.legacy.outbox_tables import OutboxEvent
        from core.legacy.tables import SyncState
        from core.notify.tables import Message

        return Panel(
            "console/_status_panel.html",
            {
                "customers": await Customer.count(),
                "accounts": await CustomerAccount.count(),
                "sync": await SyncState.select().where(SyncState.kind == "customers").first(),
                "pending": await Message.count().where(Message.status == "pending"),
                "failed": await Message.count().where(Message.status == "failed"),
                "outbox_waiting": await OutboxEvent.count().where(OutboxEvent.status.is_in(["pending", "delivering"])),
                "outbox_dead": await OutboxEvent.count().where(OutboxEvent.status == "dead"),
            },
            title=N_("Legacy data and messages"),
            permission="core.customers.view",
            order=0,
        )

    return [panel]
