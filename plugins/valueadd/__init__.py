"""Value-added services (增值业务): features of a line the hall itself charges monthly from the balance, e.g. caller ID
(来电显示). A customer orders or ends one on a line; the core's charge run (定期划帐) debits its monthly fee.

Written only against core.api: the plugin declares the ``valueadd`` specification (``charged_by="hall"``); the
services themselves are offerings of it in the tenant's ``[[products.offerings]]`` (docs/products.md). Orders
need no people (no work-order steps): an order is carried out at once, an end takes effect at the month's end.
"""

from __future__ import annotations

from core.api import GROUP_APPLY, HALL_VERSION, N_, Manifest, MenuItem, hookimpl

SPECIFICATION = "valueadd"

MANIFEST = Manifest(
    name="valueadd",
    version=HALL_VERSION,
    description="Value-added services (增值业务) such as caller ID: ordered online, charged monthly by the hall from the balance.",
    title=N_("Value-added services"),
)


@hookimpl
def register_product_specifications(hall):
    from core.api.products import ProductSpecification

    return [ProductSpecification(SPECIFICATION, N_("Value-added service"), charged_by="hall", number_kinds=("phone",))]


@hookimpl
def register_routes(hall):
    from .routes_customer import HANDLERS

    return HANDLERS


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "customer":
        return [MenuItem(N_("Value-added services"), route="valueadd:index", order=125, group=GROUP_APPLY)]
    return None
