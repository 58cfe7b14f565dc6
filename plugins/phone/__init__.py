"""Phone services (the ``phone`` plugin): online number selection with holds (网上选号, 预占), installation (装机)
as a product order carried out by the back office, and long-distance/international on/off (开/停长途).

Written against core.api only: the pool is the connector's ``number_pool`` port, the order is the core's
product order (payment, milestones, the BSS's ``productOrder.*`` events), its steps a work-order process.
See docs/phone.md.
"""

from __future__ import annotations

from core.api import GROUP_APPLY, HALL_VERSION, N_, Manifest, MenuItem, Permission, hookimpl

from .settings import PhoneSettings

MANIFEST = Manifest(
    name="phone",
    version=HALL_VERSION,
    description="Phone services: online number selection with holds, installation orders, long-distance on/off.",
    settings=PhoneSettings,
    database_app="plugins.phone.piccolo_app",
    permissions=[Permission("phone.pool", N_("See the number pool and holds"))],
    title=N_("Phone services"),
)


@hookimpl
def register_workorder_types(hall):
    from .process import INSTALL
    from .service_process import PROCESSES

    return [INSTALL, *PROCESSES.values()]


@hookimpl
def register_product_specifications(hall):
    from .offerings import SERVICE, SPECIFICATION

    return [SPECIFICATION, SERVICE]


@hookimpl
def register_product_offerings(hall, tenant):
    from .offerings import grade_offerings

    return grade_offerings(tenant)


@hookimpl
def register_api_routes(hall):
    """TMF622: an app orders the line's service orders; TMF641: long distance on/off; a new line: number search,
    hold (read, release), installation (docs/api.md)."""
    from .api import KINDS
    from .routes_api import HANDLERS
    from . import routes_api_holds, routes_api_install as new_line

    return [*KINDS, *HANDLERS, *new_line.KINDS, *new_line.HANDLERS, *routes_api_holds.HANDLERS]


@hookimpl
def register_routes(hall):
    from . import routes_console, routes_customer, routes_features, routes_service

    return [*routes_customer.HANDLERS, *routes_features.HANDLERS, *routes_service.HANDLERS, *routes_console.HANDLERS]


@hookimpl
def register_jobs(hall):
    from core.api import Job

    from .jobs import confirm_features, end_request_records, sweep_holds

    return [
        Job("phone.sweep_holds", sweep_holds, every_minutes=1),
        Job("phone.confirm_features", confirm_features, every_minutes=5),
        Job("phone.end_request_records", end_request_records, every_minutes=15),
    ]


@hookimpl
def required_ports(hall):
    from core.api.legacy import NumberPoolSource

    return [NumberPoolSource]


@hookimpl
def provision_product(hall, tenant, product, call):
    """A service request placed as a ``line_service`` product (before requests modified the line): do it to the line."""
    if product.specification != "line_service":
        return None
    from .service import provision_line_service

    return provision_line_service(hall, tenant, product, call)


@hookimpl
def workorder_changed(hall, tenant, order, event):
    """An installation order that ends frees or uses up its number (in the change's transaction)."""
    from .holds import order_ended

    return order_ended(order)


@hookimpl
def demo_services(hall, start, echo):
    """The demo BSS's interface program: applies the hall's reservations and new lines to the demo pool and lines."""
    from .demo import inbox_service

    return inbox_service(hall, start, echo)


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator":
        return [
            MenuItem(N_("Number pool"), route="phone:console_pool", permission="phone.pool", order=75),
            MenuItem(N_("Appointments"), route="phone:console_appointments", permission="phone.pool", order=76),
        ]
    return [MenuItem(N_("New line"), route="phone:index", order=110, group=GROUP_APPLY)]


@hookimpl
def quick_actions(hall, tenant, request):
    return [MenuItem(N_("New line"), route="phone:index", order=110, group=GROUP_APPLY)]
