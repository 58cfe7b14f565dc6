"""Plan change (套餐变更): a customer picks another plan for one of their lines; it takes effect next month.

The worked example of docs/products.md: everything here is written against core.api. The plans themselves
are offerings of the core's ``line`` specification in the tenant's ``[[products.offerings]]``; this plugin
declares how an order is carried out (``process.py``) and the pages that place it.
"""

from __future__ import annotations

from core.api import GROUP_APPLY, HALL_VERSION, N_, Manifest, MenuItem, hookimpl

from .settings import PlansSettings

MANIFEST = Manifest(
    name="plans",
    version=HALL_VERSION,
    description="Plan change (套餐变更): customers choose another plan for a line, effective next month; operators confirm it.",
    settings=PlansSettings,
    title=N_("Plan change"),
)


@hookimpl
def register_workorder_types(hall):
    from .process import PLAN_CHANGE

    return [PLAN_CHANGE]


@hookimpl
def register_api_routes(hall):
    """TMF622: apps order a plan change (docs/api.md)."""
    from . import routes_api

    return routes_api.KINDS


@hookimpl
def register_routes(hall):
    from .routes_customer import HANDLERS

    return HANDLERS


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "customer":
        return [MenuItem(N_("Change plan"), route="plans:index", order=120, group=GROUP_APPLY)]
    return None


@hookimpl
def quick_actions(hall, tenant, request):
    return [MenuItem(N_("Change plan"), route="plans:index", order=120, group=GROUP_APPLY)]
