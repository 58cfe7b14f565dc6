"""The public API's plan change (TMF622 ``POST /productOrder``, the core's resource): one item, ``action`` modify, the
line as ``product.id`` and the new plan as ``productOffering.id``; ``externalId`` makes a retry the same order."""

from __future__ import annotations

from core.api import N_
from core.api.tmf import ApiError, OrderRequest, ProductOrderKind
from plugins.plans import services


async def change_plan(order: OrderRequest) -> dict:
    """The plan change of the web page (same eligibility, same order) for the line and offering the item names."""
    if order.offering is None:
        raise ApiError(400, N_("A plan change names the new plan as productOffering."), "invalid")
    hall, tenant = order.hall, order.tenant
    lines = await services.lines(hall, tenant, order.account_id, order.language, fresh=True)
    line = next((ln for ln in lines if ln.product["id"] == order.product["id"]), None)
    if line is None:
        raise ApiError(404, N_("No such product."), "not_found")
    offer = next(
        (
            o
            for o in await services.choices(hall, tenant, order.account_id, line.product["id"])
            if o[0].code == order.offering.code
        ),
        None,
    )
    if offer is None:
        raise ApiError(409, N_("That plan cannot replace this line's plan."), "not_offered")
    title = order.gettext()("Plan change of %(number)s to %(plan)s") % {
        "number": line.product["number"],
        "plan": offer[0].display_name(order.language),
    }
    return await services.order_change(
        hall, tenant, order.account_id, line, offer[0], order.token, title, order.language
    )


KINDS = [ProductOrderKind("modify", "line", change_plan)]
