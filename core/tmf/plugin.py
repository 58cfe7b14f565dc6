"""The public API, an always-on core plugin: OAuth pages and endpoints, the resources, the OpenAPI document and its
documentation page, and the console's API clients page."""

from __future__ import annotations

from core.auth.permissions import Permission
from core.hookspecs import hookimpl
from core.i18n import N_
from core.web.menus import MenuItem

PERMISSIONS = [Permission("core.api.clients", N_("Register API clients, rotate their secrets and revoke them"))]


@hookimpl
def register_routes(hall):
    from core.tmf import routes_console, routes_docs, routes_oauth, routes_payments, routes_terminal

    return [
        *routes_oauth.HANDLERS,
        *routes_console.HANDLERS,
        *routes_docs.HANDLERS,
        *routes_payments.PAGES,
        *routes_terminal.PAGES,
    ]


@hookimpl
def register_jobs(hall):
    from core.jobs.spec import Job
    from core.tmf import bill_events, hub

    return [
        Job(hub.JOB_NAME, hub.deliver_due, every_minutes=1),
        Job(bill_events.JOB_NAME, bill_events.queue_new_bills, every_minutes=1),
    ]


@hookimpl
def workorder_changed(hall, tenant, order, event):
    """A ticket's state change is a TMF621 event for the hub's listeners (in the change's transaction)."""
    if event.get("to_state") and event.get("to_state") != event.get("from_state"):
        from core.tmf.events import ticket_changed

        return ticket_changed(order, event)
    return None


@hookimpl
def extra_template_vars(hall, tenant, request, template):
    """``terminal``: the kiosk client this browser is signed in as (the kiosk theme shows it), when it carries one."""
    from core.tmf import terminal

    value = request.cookies.get(terminal.COOKIE)
    if not value:
        return None

    async def bound():
        return {"terminal": await terminal.terminal_of(hall.secret, tenant.id, value)}

    return bound()


@hookimpl
def demo_data(hall, tenant):
    from core.tmf.demo import add_demo_clients

    return add_demo_clients(hall, tenant)


@hookimpl
def register_permissions(hall):
    return PERMISSIONS


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [MenuItem(N_("API clients"), route="console:api.clients", permission="core.api.clients", order=990)]
    return []


@hookimpl
def register_labels(hall):
    return {
        "api_client_kind": {"app": N_("Customer app"), "partner": N_("Partner"), "kiosk": N_("Self-service terminal")},
        "audit_action": {
            "api.client.create": N_("API client registered"),
            "api.client.rotate": N_("API client secret rotated"),
            "api.client.revoke": N_("API client revoked"),
            "api.terminal.sign_in": N_("Terminal signed in"),
            "api.terminal.request": N_("Done at a self-service terminal"),
        },
        "actor_kind": {"terminal": N_("Self-service terminal")},
    }
