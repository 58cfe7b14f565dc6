"""After-sales pages: the buyer opens a request from their order's page; an operator decides it on the console's."""

from __future__ import annotations

from litestar import Request, Response, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api.web import AuditorDep, FieldErrors, Form, HallDep, NamedDependency, TenantDep, info, redirect_to
from core.api.workorders import Actor
from plugins.shop import aftersales
from plugins.shop.aftersales_tables import AfterSale
from plugins.shop.routes_console import order_page_response
from plugins.shop.routes_customer import order_page_with, own_order
from plugins.shop.settings import ShopSettings
from plugins.shop.tables import Order

CUSTOMER = {"auth": "customer"}
ORDERS = {"auth": "operator", "permission": "shop.orders"}
Settings = NamedDependency[ShopSettings]
DECISION_FIELDS = ("outcome", "amount", "note", "carrier", "tracking", "location")


@post("/orders/{number:str}/aftersales", opt=CUSTOMER, name="shop:order.aftersales")
async def open_request(request: Request, number: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    """A return, exchange or lost-card request about the buyer's own order (field errors on the order's page)."""
    order = await own_order(request, number)
    form = await Form.from_request(request)
    ri = info(request)
    try:
        await aftersales.open_request(
            hall,
            tenant,
            order,
            kind=form.value("kind"),
            reason=form.value("reason"),
            actor=Actor.from_principal(ri.principal),
            language=ri.language,
        )
    except FieldErrors as problems:
        form.take(problems)
        return await order_page_with(request, order, form=form, status=400)
    return redirect_to(request, "shop:order", number=order["number"])


@post("/console/aftersales/{request_id:int}/decide", opt=ORDERS, name="shop:console.aftersales")
async def decide(
    request: Request,
    request_id: FromPath[int],
    hall: HallDep,
    tenant: TenantDep,
    settings: Settings,
    auditor: AuditorDep,
) -> Response:
    """Approve with a refund, approve an exchange, or not approve (with the reason); once, audited, the buyer told."""
    row = await AfterSale.select().where(AfterSale.id == request_id).first()
    order = await Order.select(Order.number).where(Order.id == row["order_id"]).first() if row else None
    if order is None:
        raise NotFoundException()
    form = await Form.from_request(request)
    try:
        await aftersales.decide(
            hall,
            tenant,
            settings,
            row,
            {name: form.value(name) for name in DECISION_FIELDS},
            actor=Actor.from_principal(info(request).principal),
            auditor=auditor,
        )
    except FieldErrors as problems:
        form.take(problems)
        return await order_page_response(request, order["number"], form, status=400)
    return redirect_to(request, "shop:console.order", number=order["number"])


HANDLERS = [open_request, decide]
