"""Physical products: buying one to an address, confirming receipt, and the operator's shipment (docs/shop.md)."""

from __future__ import annotations

from litestar import Request, Response, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_
from core.api.payments import PaymentError, checkout_response, customer_legacy_id
from core.api.web import AuditorDep, FieldErrors, Form, HallDep, NamedDependency, TenantDep, gettext, info, redirect_to
from plugins.shop import catalog, delivery, merge
from plugins.shop.buyer import buyer_contact
from plugins.shop.console import order_detail
from plugins.shop.orders import OutOfStock
from plugins.shop.routes_console import order_page_response
from plugins.shop.routes_customer import own_order, product_page_response
from plugins.shop.settings import ShopSettings

CUSTOMER = {"auth": "customer"}
ORDERS = {"auth": "operator", "permission": "shop.orders"}
Settings = NamedDependency[ShopSettings]


@post("/p/{code:str}/order", opt=CUSTOMER, name="shop:buy.physical")
async def buy_physical(
    request: Request, code: FromPath[str], hall: HallDep, tenant: TenantDep, settings: Settings
) -> Response:
    """Checkout of a physical product: the address and method checked field by field, then the payment gateway."""
    product = await catalog.product_by_code(code)
    if product is None or product["delivery"] != "physical":
        raise NotFoundException()
    form = await Form.from_request(request)
    try:
        address = delivery.address_values({k: form.value(k) for k in delivery.ADDRESS_FIELDS}, settings)
    except FieldErrors as problems:
        form.take(problems)
        return await product_page_response(request, product, form=form, status=400)
    try:
        _order, intent = await delivery.checkout_physical(
            hall,
            tenant,
            settings,
            product=product,
            customer_id=await customer_legacy_id(request),
            subject=catalog.name_of(product, info(request).language),
            contact=await buyer_contact(request),
            address=address,
        )
    except OutOfStock:
        notice = gettext(request)(N_("Sold out just now. Please try again later."))
        return await product_page_response(request, product, form=form, notice=notice, status=409)
    except PaymentError:
        notice = gettext(request)(N_("Payment is not available just now."))
        return await product_page_response(request, product, form=form, notice=notice, status=409)
    return await checkout_response(request, intent)


@post("/orders/{number:str}/receive", opt=CUSTOMER, name="shop:order.receive")
async def receive(request: Request, number: FromPath[str]) -> Response:
    """The buyer confirms the parcel arrived: shipped → completed."""
    order = await own_order(request, number)
    await delivery.confirm_receipt(order)
    return redirect_to(request, "shop:order", number=order["number"])


@post("/console/orders/{number:str}/ship", opt=ORDERS, name="shop:console.ship")
async def ship(
    request: Request, number: FromPath[str], hall: HallDep, tenant: TenantDep, settings: Settings, auditor: AuditorDep
) -> Response:
    """The operator records the shipment: courier and tracking number (audited; the buyer is told)."""
    found = await order_detail(number)
    if found is None:
        raise NotFoundException()
    form = await Form.from_request(request)
    try:
        await delivery.ship(
            hall,
            tenant,
            settings,
            found["order"],
            carrier=form.value("carrier"),
            tracking=form.value("tracking"),
            location=form.value("location"),
            auditor=auditor,
        )
    except FieldErrors as problems:
        form.take(problems)
        return await order_page_response(request, number, form, status=400)
    return redirect_to(request, "shop:console.order", number=number)


@post("/console/orders/{number:str}/merge", opt=ORDERS, name="shop:console.merge")
async def merge_order(request: Request, number: FromPath[str], auditor: AuditorDep) -> Response:
    """Merge another paid order of the same customer and address into this one's shipment, with a reason (audited)."""
    found = await order_detail(number)
    if found is None:
        raise NotFoundException()
    form = await Form.from_request(request)
    try:
        await merge.merge(found["order"], form.value("other"), reason=form.value("merge_reason"), auditor=auditor)
    except FieldErrors as problems:
        form.take(problems)
        return await order_page_response(request, number, form, status=400)
    return redirect_to(request, "shop:console.order", number=number)


HANDLERS = [buy_physical, receive, ship, merge_order]
