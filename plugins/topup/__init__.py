"""Top-up (充值/代缴): anyone pays money onto any service number of the tenant, without logging in.

The payer enters a number, confirms it by the holder's masked name, chooses an
amount and pays through the payment core (purpose ``topup``). The fulfilment
marks the top-up paid exactly once; the core's ``payment.posted`` outbox event
carries ``{number, account}`` to the legacy system. Limits per number and per
client address live in the database. See docs/topup.md.
"""

from __future__ import annotations

from core.api import GROUP_PAY, HALL_VERSION, N_, Manifest, MenuItem, Permission, hookimpl

from .settings import TopupSettings

MANIFEST = Manifest(
    name="topup",
    version=HALL_VERSION,
    description="Top-up (充值/代缴): pay onto any service number of the tenant without logging in, with a receipt; history, console list and refunds.",
    settings=TopupSettings,
    database_app="plugins.topup.piccolo_app",
    permissions=[
        Permission("topup.view", N_("Search top-ups")),
        Permission("topup.refund", N_("Refund top-ups")),
    ],
    title=N_("Top-up"),
)


@hookimpl
def register_api_routes(hall):
    """Partners and kiosks top up any number (docs/api.md)."""
    from . import routes_api

    return routes_api.HANDLERS


@hookimpl
def register_routes(hall):
    from . import routes_console, routes_customer

    return [*routes_customer.HANDLERS, *routes_console.HANDLERS]


@hookimpl
def required_ports(hall):
    from core.api.legacy import CustomerSource

    return [CustomerSource]


@hookimpl
def payment_succeeded(hall, tenant, intent):
    """Mark the top-up paid (in the settlement's transaction: exactly once with it)."""
    from .fulfil import credit

    return credit(intent)


@hookimpl
def payment_refunded(hall, tenant, intent, refund):
    """Record what came back (in the refund's transaction); the core tells the legacy system (payment.refunded)."""
    from .fulfil import record_refund

    return record_refund(intent)


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [MenuItem(N_("Top-ups"), route="topup:console", permission="topup.view", order=72)]
    return [MenuItem(N_("Top up"), route="topup:index", order=15, group=GROUP_PAY)]


@hookimpl
def quick_actions(hall, tenant, request):
    return [MenuItem(N_("Top up"), route="topup:index", order=15, group=GROUP_PAY)]


@hookimpl
def home_panels(hall, tenant, request, audience):
    """Visitors and customers: the number box of a top-up, right on the home page."""
    if audience != "customer":
        return None
    from core.api import Panel

    return [Panel("topup/_home_panel.html", {}, title=N_("Top up"), order=5)]


@hookimpl
def extra_template_vars(hall, tenant, request, template):
    """The core's payment pages: the way to a top-up's receipt (its id is not the payment's)."""
    if template not in ("pay/return.html", "pay/history.html"):
        return None
    from .views import receipt_links

    return receipt_links(request, template)


@hookimpl
def customer_sections(hall, tenant, request, customer):
    """The console's customer view: top-ups of the customer's numbers (operators with topup.view)."""
    from core.api.web import info

    principal = info(request).principal
    if principal is None or not principal.can("topup.view"):
        return []
    from .console import customer_section

    return [customer_section(customer)]


@hookimpl
def register_labels(hall):
    """Display names of the codes this plugin stores or shows; its own name is MANIFEST.title."""
    return {
        "number_status": {"active": N_("In service"), "suspended": N_("Suspended"), "closed": N_("Number closed")},
        "topup_state": {
            "started": N_("Not paid"),
            "paid": N_("Paid"),
            "partially_refunded": N_("Partly refunded"),
            "refunded": N_("Refunded"),
        },
    }
