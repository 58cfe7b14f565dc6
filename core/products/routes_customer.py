"""The customer's side: my products (per account, with dated changes), one order with its milestones, pay, cancel."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.auth.customers import linked_numbers
from core.payments import get_intent
from core.payments.routes_customer import checkout_response, customer_legacy_id
from core.products import services
from core.products.catalog import catalog as load_catalog
from core.products.model import ProductError
from core.products.orders import get_order
from core.products.states import PENDING
from core.products.tables import ProductOrder
from core.products.views import customer_products, order_detail
from core.web.context import info
from core.web.dependencies import HallDep, TenantDep
from core.web.forms import Form
from core.web.paging import paginate
from core.web.render import redirect_to, render

CUSTOMER = {"auth": "customer"}


@get("/account/products", opt=CUSTOMER, name="account:products")
async def my_products(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    ri = info(request)
    customer_id = await customer_legacy_id(request)
    context = await customer_products(hall, tenant, customer_id, await linked_numbers(ri.customer.id), ri.language)
    from core.payments.agreements import agreement_providers

    return await render(request, "products/my_products.html", {**context, "autopay": agreement_providers(hall, tenant)})


@get("/account/product-orders", opt=CUSTOMER, name="account:product_orders")
async def my_orders(request: Request) -> Response:
    customer_id = await customer_legacy_id(request)
    page = await paginate(
        request,
        ProductOrder.select()
        .where(ProductOrder.customer_legacy_id == customer_id)
        .order_by(ProductOrder.id, ascending=False),
    )
    return await render(request, "products/my_orders.html", {"orders": page.rows, **page.template_context})


async def _mine(request: Request, order_id: int) -> dict:
    try:
        order = await get_order(order_id)
    except ProductError:
        raise NotFoundException() from None
    if order["customer_legacy_id"] != await customer_legacy_id(request):
        raise NotFoundException()
    return order


async def _detail(
    request: Request, hall, tenant, order: dict, *, notice: str = "", params: dict | None = None, status: int = 200
) -> Response:
    context = await order_detail(order, public_only=True)
    cat = await load_catalog(hall, tenant)
    intent = await get_intent(order["payment_intent"]) if order["payment_intent"] else None
    return await render(
        request,
        "products/my_order.html",
        {**context, "catalog": cat, "intent": intent, "notice": notice, "notice_params": params or {}, "form": Form()},
        status=status,
    )


@get("/account/product-orders/{order_id:int}", opt=CUSTOMER, name="account:product_order")
async def my_order(request: Request, order_id: FromPath[int], hall: HallDep, tenant: TenantDep) -> Response:
    return await _detail(request, hall, tenant, await _mine(request, order_id))


@post("/account/product-orders/{order_id:int}/cancel", opt=CUSTOMER, name="account:product_order.cancel")
async def cancel_order(request: Request, order_id: FromPath[int], hall: HallDep, tenant: TenantDep) -> Response:
    order = await _mine(request, order_id)
    try:
        await services.cancel_by_customer(hall, tenant, order_id, order["customer_legacy_id"])
    except ProductError as exc:
        return await _detail(
            request, hall, tenant, await get_order(order_id), notice=exc.message, params=exc.params, status=exc.status
        )
    return redirect_to(request, "account:product_order", order_id=order_id)


@post("/account/product-orders/{order_id:int}/pay", opt=CUSTOMER, name="account:product_order.pay")
async def pay_order(request: Request, order_id: FromPath[int], hall: HallDep, tenant: TenantDep) -> Response:
    order = await _mine(request, order_id)
    intent = await get_intent(order["payment_intent"]) if order["payment_intent"] else None
    if order["state"] != PENDING or intent is None or not intent.open:
        return redirect_to(request, "account:product_order", order_id=order_id)
    return await checkout_response(request, intent)


HANDLERS = [my_products, my_orders, my_order, cancel_order, pay_order]
