"""The public API's ``POST /productOrder`` (TMF622) for a plan change: one item, ``action`` modify, the line as
``product.id`` and the new plan as ``productOffering.id``; ``externalId`` makes a retry the same order."""

from __future__ import annotations

import secrets

from litestar import Request, Response, post
from msgspec import Struct

from core.api import N_
from core.api.products import NotEligible, ProductError
from core.api.tmf import ApiError, ProductOrderResource, errors, one, order_view
from core.api.web import gettext, hall_of, info
from core.api.products import ProductOrder
from plugins.plans import services


class Ref(Struct):
    id: str


class ItemIn(Struct):
    action: str
    product: Ref
    productOffering: Ref


class ProductOrderCreate(Struct):
    productOrderItem: list[ItemIn]
    externalId: str | None = None


@post("/productOrder", opt={"scope": "customer.write"}, name="plans:api.order.create", responses=errors(409))
async def create_order(request: Request, data: ProductOrderCreate) -> Response[ProductOrderResource]:
    """A plan change of one of the customer's lines; 201 with the order (TMF622 states)."""
    if len(data.productOrderItem) != 1 or data.productOrderItem[0].action != "modify":
        raise ApiError(400, N_("A plan change is one productOrderItem with action modify."), "invalid")
    item = data.productOrderItem[0]
    hall, tenant, ri = hall_of(request), info(request).tenant, info(request)
    lines = await services.lines(hall, tenant, ri.customer.id, ri.language, fresh=True)
    line = next((ln for ln in lines if str(ln.product["id"]) == item.product.id), None)
    if line is None:
        raise ApiError(404, N_("No such product."), "not_found")
    offer = next(
        (
            o
            for o in await services.choices(hall, tenant, ri.customer.id, line.product["id"])
            if o[0].code == item.productOffering.id
        ),
        None,
    )
    if offer is None:
        raise ApiError(409, N_("That plan cannot replace this line's plan."), "not_offered")
    _ = gettext(request)
    title = _("Plan change of %(number)s to %(plan)s") % {
        "number": line.product["number"],
        "plan": offer[0].display_name(ri.language),
    }
    token = (data.externalId or secrets.token_urlsafe(16))[:40]
    try:
        placed = await services.order_change(hall, tenant, ri.customer.id, line, offer[0], token, title, ri.language)
    except NotEligible as exc:
        message, params = exc.reasons[0] if exc.reasons else (exc.message, {})
        raise ApiError(409, message, "not_eligible", **params) from None
    except ProductError as exc:
        raise ApiError(exc.status if exc.status < 500 else 409, exc.message, "refused", **exc.params) from None
    row = await ProductOrder.select().where(ProductOrder.id == placed["id"]).first()
    return one(await order_view(request, row), status=201)


HANDLERS = [create_order]
