"""Customer service (客户服务): service introduction, outlets, consultations, complaints and their statistics.

Consultations and complaints are work orders (docs/workorders.md): this plugin
declares the types and provides the forms; the core keeps numbers, ownership,
deadlines, escalation, history and the pages where they are handled. See docs/service.md.
"""

from __future__ import annotations

from core.api import GROUP_SERVICE, HALL_VERSION, N_, Manifest, MenuItem, Permission, hookimpl
from plugins.service.settings import ServiceSettings

MANIFEST = Manifest(
    name="service",
    version=HALL_VERSION,
    description="Customer service (客户服务): service introduction, outlets, consultations, complaints and their statistics.",
    settings=ServiceSettings,
    database_app="plugins.service.piccolo_app",
    permissions=[
        Permission("service.content", N_("Edit service, tariff and outlet pages")),
        Permission("service.faq", N_("Publish consultations as public questions and answers")),
        Permission("service.stats", N_("See customer-service statistics")),
        Permission("service.complaints.resolve", N_("Record the outcome of complaints")),
    ],
    title=N_("Customer service"),
)


@hookimpl
def register_api_routes(hall):
    """TMF621: apps open complaints and consultations (docs/api.md)."""
    from . import routes_api

    return routes_api.HANDLERS


@hookimpl
def register_routes(hall):
    from plugins.service import routes_faq, routes_intro, routes_requests, routes_stats

    return [*routes_intro.HANDLERS, *routes_requests.HANDLERS, *routes_faq.HANDLERS, *routes_stats.HANDLERS]


@hookimpl
def register_workorder_types(hall):
    from plugins.service.workorder_types import TYPES

    return TYPES


@hookimpl
def register_jobs(hall):
    from core.api import Job
    from plugins.service.limits import prune

    return [Job("service.prune_submissions", prune, every_minutes=60)]


@hookimpl
def workorder_changed(hall, tenant, order, event):
    """A complaint may be reopened only within ``reopen_days`` of its resolution (refusing rolls the change back)."""
    if order["type"] != "service.complaint" or event["action"] != "reopen":
        return None
    from plugins.service.reopen import check_reopen_period

    return check_reopen_period(tenant, order, event)


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [
            MenuItem(N_("Service pages"), route="service:manage", permission="service.content", order=60),
            MenuItem(N_("Public Q&A"), route="service:console.faq", permission="service.faq", order=61),
            MenuItem(N_("Service statistics"), route="service:console.stats", permission="service.stats", order=62),
        ]
    return [
        MenuItem(N_("Services"), route="service:intro", order=40, group=GROUP_SERVICE),
        MenuItem(N_("Outlets"), route="service:outlets", order=41, group=GROUP_SERVICE),
        MenuItem(N_("Ask us"), route="service:ask", order=42, group=GROUP_SERVICE),
        MenuItem(N_("Q&A"), route="service:faq", order=43, group=GROUP_SERVICE),
    ]


@hookimpl
def quick_actions(hall, tenant, request):
    return [
        MenuItem(N_("New complaint"), route="service:complain", order=50, group=GROUP_SERVICE),
        MenuItem(N_("Ask us"), route="service:ask", order=51, group=GROUP_SERVICE),
    ]


@hookimpl
def extra_template_vars(hall, tenant, request, template):
    """The complaint categories' labels, for the complaint's data template on the core's order pages."""
    if not template.startswith("workorders/"):
        return None
    from plugins.service.settings import CATEGORIES

    return {"service_categories": CATEGORIES}


@hookimpl
def demo_data(hall, tenant):
    from plugins.service.demo import seed

    return seed(hall, tenant)


@hookimpl
def register_labels(hall):
    """Display names of the codes this plugin stores (audit actions, object types); its own name is MANIFEST.title."""
    return {
        "audit_action": {
            "service.faq.publish": N_("Published a question and answer"),
            "service.faq.delete": N_("Deleted a question and answer"),
            "service.outlet.create": N_("Added an outlet"),
            "service.outlet.update": N_("Changed an outlet"),
            "service.outlet.delete": N_("Deleted an outlet"),
            "service.page.create": N_("Added a service page"),
            "service.page.update": N_("Changed a service page"),
            "service.page.delete": N_("Deleted a service page"),
        },
        "object_type": {
            "service_page": N_("Service page"),
            "service_outlet": N_("Outlet"),
            "service_faq": N_("Question and answer"),
        },
    }
