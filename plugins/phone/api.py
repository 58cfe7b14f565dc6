"""The line's service orders through the public API (TMF622 ``POST /productOrder``, the core's resource): suspension,
resumption and move are an ``add`` of the offering ``phone-suspend`` / ``phone-resume`` / ``phone-move`` naming the
line as ``product``; termination is a ``delete`` of the line. The characteristics are the web form's fields
(``reason``, ``date``; a move's address and slot) and go through the same service (:func:`service.order`). The order
is carried out as a ``modify`` of the line itself (its own offering, the change as the item's params), and the answer's
item says so."""

from __future__ import annotations

from core.api import N_
from core.api.tmf import ApiError, OrderRequest, ProductOrderKind
from core.api.web import Form

from . import install, service
from .offerings import SERVICE
from .routes_service import TITLES


async def _place(order: OrderRequest, kind: str) -> dict:
    customer = await install.customer_of(order.account_id)
    if customer is None or order.product is None:
        raise ApiError(404, N_("No such product."), "not_found")
    lines = await service.lines(order.hall, order.tenant, customer)
    line = next((ln for ln in lines if ln["id"] == order.product["id"]), None)
    if line is None:
        raise ApiError(404, N_("No such product."), "not_found")
    if kind not in service.allowed(line):
        raise ApiError(409, N_("This kind of order cannot be placed here."), "not_offered")
    form = Form({**order.form.data, "token": order.token})
    title = order.gettext()(TITLES[kind]) % {"number": line["number"]}
    settings = order.tenant.plugin_settings("phone")
    return await service.order(order.hall, order.tenant, settings, customer, line, kind, form, title, order.language)


async def line_service(order: OrderRequest) -> dict:
    """Suspension, resumption or move of the line the item names (the offering says which)."""
    return await _place(order, order.offering.code.removeprefix("phone-"))


async def terminate(order: OrderRequest) -> dict:
    return await _place(order, "terminate")


KINDS = [ProductOrderKind("add", SERVICE.code, line_service), ProductOrderKind("delete", "line", terminate)]
