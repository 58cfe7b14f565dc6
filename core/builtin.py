"""The core's own behaviour, written as an always-on plugin named ``core`` (as Datasette does)."""

from __future__ import annotations

from core.auth.permissions import CORE_PERMISSIONS
from core.hookspecs import hookimpl
from core.i18n import N_
from core.web.menus import MenuItem, Panel


def core_route_handlers(hall) -> list:
    from core.web import (account_pages, console_auth_pages, console_customer_pages, console_outbox_pages, console_pages, console_payment_pages, console_staff_pages,
                          console_sync_pages, customer_auth_pages, pay_pages, public_pages, workorder_console_pages,
                          workorder_customer_pages, workorder_department_pages)

    return [*public_pages.HANDLERS, *customer_auth_pages.HANDLERS, *account_pages.HANDLERS,
            *console_auth_pages.HANDLERS, *console_pages.HANDLERS, *console_customer_pages.HANDLERS, *console_staff_pages.HANDLERS,
            *console_outbox_pages.HANDLERS, *console_payment_pages.HANDLERS, *console_sync_pages.HANDLERS, *workorder_console_pages.HANDLERS,
            *workorder_customer_pages.HANDLERS, *workorder_department_pages.HANDLERS, *pay_pages.HANDLERS]


@hookimpl
def register_jobs(hall):
    from core.jobs.builtin import CORE_JOBS
    from core.jobs.spec import Job
    from core.legacy.outbox import deliver_due

    from core.legacy.sync_jobs import SYNC_JOBS

    from core.workorders.escalation import JOB_NAME, escalate_due
    from core.payments import reconcile

    return [*CORE_JOBS, Job("core.deliver_outbox", deliver_due, every_minutes=1), *SYNC_JOBS,
            Job(JOB_NAME, escalate_due, every_minutes=5), Job(reconcile.JOB_NAME, reconcile.reconcile_payments, every_minutes=5)]


@hookimpl
def register_permissions(hall):
    from core.workorders.access import permissions

    return [*CORE_PERMISSIONS, *permissions()]


@hookimpl
def register_settings(hall):
    """The core has no settings model; this build-time hook checks the plugins' work-order types instead.

    It runs while the hall is validated, so ``hall check``, start-up and tests
    report a broken type declaration as a configuration error. Returns None.
    """
    from core.config import ConfigError, ConfigIssue
    from core.workorders.types import WorkOrderTypeError, collect_types

    try:
        collect_types(hall)
    except WorkOrderTypeError as exc:
        raise ConfigError([ConfigIssue("(plugins)", "register_workorder_types", str(exc))]) from None
    return None


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [
            MenuItem(N_("Console home"), route="console:home", order=0),
            MenuItem(N_("Work orders"), route="console:workorders", permission="core.workorders.handle", order=200),
            MenuItem(N_("Customers"), route="console:customers", permission="core.customers.view", order=900),
            MenuItem(N_("Messages"), route="console:messages", permission="core.messages.view", order=910),
            MenuItem(N_("Operators"), route="console:operators", permission="core.operators.manage", order=920),
            MenuItem(N_("Roles"), route="console:roles", permission="core.operators.manage", order=930),
            MenuItem(N_("Departments"), route="console:departments", permission="core.workorders.departments", order=935),
            MenuItem(N_("Audit log"), route="console:audit", permission="core.audit.view", order=940),
            MenuItem(N_("Payments"), route="console:payments", permission="core.payments.view", order=945),
            MenuItem(N_("Legacy outbox"), route="console:outbox", permission="core.outbox.manage", order=950),
            MenuItem(N_("Legacy sync"), route="console:sync", permission="core.sync.manage", order=955),
            MenuItem(N_("All tenants"), route="console:tenants", permission="core.super", order=990),
        ]
    items = [MenuItem(N_("Home"), route="site:home", order=0), MenuItem(N_("My requests"), route="account:requests", order=800)]
    from core.payments.registry import enabled_providers

    if enabled_providers(hall, tenant):
        items.append(MenuItem(N_("My payments"), route="pay:history", order=810))
    return items


@hookimpl
def quick_actions(hall, tenant, request):
    """My requests always; My payments when the tenant takes payments."""
    from core.payments.registry import enabled_providers

    items = [MenuItem(N_("My requests"), route="account:requests", order=800)]
    if enabled_providers(hall, tenant):
        items.append(MenuItem(N_("My payments"), route="pay:history", order=810))
    return items


@hookimpl
def home_panels(hall, tenant, request, audience):
    """Operators see the state of the legacy sync and of the message outbox, and their work-order queues, on their home page.

    Customers see their quick actions and open requests; visitors the services this hall offers (core/web/home_customer.py).
    """
    if audience == "customer":
        from core.web.context import info
        from core.web.home_customer import actions_panel, open_requests_panel

        async def requests_panel():
            return await open_requests_panel(request, N_("My open requests"))

        signed_in = info(request).customer is not None
        return [actions_panel(request, N_("Quick actions") if signed_in else N_("What you can do here")),
                requests_panel if signed_in else None]
    if audience != "operator":
        return None

    async def panel():
        from core.auth.tables import Customer, CustomerAccount
        from core.legacy.outbox_tables import OutboxEvent
        from core.legacy.tables import SyncState
        from core.notify.tables import Message

        return Panel("console/_status_panel.html", {
            "customers": await Customer.count(),
            "accounts": await CustomerAccount.count(),
            "sync": await SyncState.select().where(SyncState.kind == "customers").first(),
            "pending": await Message.count().where(Message.status == "pending"),
            "failed": await Message.count().where(Message.status == "failed"),
            "outbox_waiting": await OutboxEvent.count().where(OutboxEvent.status.is_in(["pending", "delivering"])),
            "outbox_dead": await OutboxEvent.count().where(OutboxEvent.status == "dead"),
        }, title=N_("Legacy data and messages"), permission="core.customers.view", order=0)

    async def workorders_panel():
        from core.web.workorder_console_pages import queue_counts
        from core.web.workorder_views import actor_of

        actor = actor_of(request)
        if not actor.can("core.workorders.handle"):
            return None
        return Panel("workorders/_panel.html", {"counts": await queue_counts(actor)}, title=N_("Work orders"),
                     permission="core.workorders.handle", order=5)

    return [panel, workorders_panel]
