"""Work orders, an always-on core plugin: the console queue and departments, the customer's requests, escalation, and the check of the plugins' work-order types."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.i18n import N_
from core.web.menus import GROUP_ACCOUNT, MenuItem, Panel


@hookimpl
def register_routes(hall):
    from core.workorders import routes_console, routes_customer, routes_department

    return [*routes_console.HANDLERS, *routes_customer.HANDLERS, *routes_department.HANDLERS]


@hookimpl
def register_jobs(hall):
    from core.jobs.spec import Job
    from core.workorders.escalation import JOB_NAME, escalate_due

    return [Job(JOB_NAME, escalate_due, every_minutes=5)]


@hookimpl
def register_permissions(hall):
    from core.workorders.access import permissions

    return permissions()


@hookimpl
def check_config(hall, tenant):
    """For the hall as a whole: the plugins' work-order type declarations (a broken one is a configuration problem)."""
    if tenant is not None:
        return None
    from core.config import ConfigIssue
    from core.workorders.types import WorkOrderTypeError, collect_types

    try:
        collect_types(hall)
    except WorkOrderTypeError as exc:
        return [ConfigIssue("(plugins)", "register_workorder_types", str(exc))]
    return None


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [
            MenuItem(N_("Work orders"), route="console:workorders", permission="core.workorders.handle", order=200),
            MenuItem(
                N_("Departments"), route="console:departments", permission="core.workorders.departments", order=935
            ),
        ]
    return [MenuItem(N_("My requests"), route="account:requests", order=800, group=GROUP_ACCOUNT)]


@hookimpl
def quick_actions(hall, tenant, request):
    return [MenuItem(N_("My requests"), route="account:requests", order=800, group=GROUP_ACCOUNT)]


@hookimpl
def home_panels(hall, tenant, request, audience):
    """Operators see their work-order queues on their home page."""
    if audience != "operator":
        return None

    async def workorders_panel():
        from core.workorders.routes_console import queue_counts
        from core.workorders.views import actor_of

        actor = actor_of(request)
        if not actor.can("core.workorders.handle"):
            return None
        return Panel(
            "workorders/_panel.html",
            {"counts": await queue_counts(actor)},
            title=N_("Work orders"),
            permission="core.workorders.handle",
            order=5,
        )

    return [workorders_panel]
