"""Console: product orders by state and type (with their work-order steps, failed steps to retry, giving up), and
products searched per account, number or customer (with their history and failed steps)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.products import services
from core.products.catalog import catalog as load_catalog
from core.products.inventory import get_product, pending_changes
from core.products.lines import mirror_matching
from core.products.model import ProductError
from core.products.orders import get_order
from core.products.access import HANDLE, VIEW, may_handle
from core.products.process import process_of
from core.products.states import ORDER_STATES, PRODUCT_STATES
from core.products.tables import LifecycleRequest, Product, ProductEvent, ProductOrder
from core.products.views import describe, order_detail
from core.web.context import info
from core.web.dependencies import AuditorDep, HallDep, TenantDep
from core.web.forms import Form
from core.web.paging import paginate
from core.web.render import redirect_to, render
from core.workorders import Actor, WorkOrderError

VIEW_OPT = {"auth": "operator", "permission": VIEW}
HANDLE_OPT = {"auth": "operator", "permission": HANDLE}


def _like(hall, column, text: str):
    like = "%" + text.replace("%", "").replace("_", "") + "%"
    return getattr(column, "like" if hall.db.is_sqlite else "ilike")(like)


@get("/console/product-orders", opt=VIEW_OPT, name="console:product_orders")
async def orders_page(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    q = request.query_params
    state = q.get("state") if q.get("state") in ORDER_STATES else ""
    processes = sorted({r["process"] for r in await ProductOrder.select(ProductOrder.process).distinct()} - {""})
    process = q.get("type") if q.get("type") in processes else ""
    text = (q.get("q") or "").strip()[:64]
    query = ProductOrder.select().order_by(ProductOrder.id, ascending=False)
    if state:
        query = query.where(ProductOrder.state == state)
    if process:
        query = query.where(ProductOrder.process == process)
    if text:
        query = query.where(
            _like(hall, ProductOrder.number, text)
            | (ProductOrder.customer_legacy_id == text)
            | (ProductOrder.account_legacy_id == text)
            | _like(hall, ProductOrder.title, text)
        )
    page = await paginate(request, query)
    return await render(
        request,
        "products/console_orders.html",
        {
            "orders": page.rows,
            "filters": {"state": state, "type": process, "q": text},
            "states": ORDER_STATES,
            "processes": {code: process_of(hall, code) for code in processes},
            **page.template_context,
        },
        audience="operator",
    )


async def _order_page(
    request: Request, hall, tenant, order_id: int, *, notice: str = "", params: dict | None = None, status: int = 200
) -> Response:
    try:
        order = await get_order(order_id)
    except ProductError:
        raise NotFoundException() from None
    context = await order_detail(order, public_only=False)
    actions, wo = [], None
    if order["workorder_id"] is not None:
        from core.workorders.access import may_override
        from core.workorders.tables import WorkOrder

        wo = await WorkOrder.select().where(WorkOrder.id == order["workorder_id"]).first()
        process = process_of(hall, order["process"])
        actor = Actor.from_principal(info(request).principal)
        if (
            wo is not None
            and process is not None
            and (wo["assignee"] in (None, actor.id) or await may_override(wo, actor))
        ):
            actions = [t for t in process.available(wo["state"], "operator") if actor.can(t.permission)]
    return await render(
        request,
        "products/console_order.html",
        {
            **context,
            "catalog": await load_catalog(hall, tenant),
            "workorder": wo,
            "process": process_of(hall, order["process"]),
            "actions": actions,
            "may_handle": may_handle(info(request).principal),
            "notice": notice,
            "notice_params": params or {},
            "form": Form(),
        },
        status=status,
        audience="operator",
    )


@get("/console/product-orders/{order_id:int}", opt=VIEW_OPT, name="console:product_order")
async def order_page(request: Request, order_id: FromPath[int], hall: HallDep, tenant: TenantDep) -> Response:
    return await _order_page(request, hall, tenant, order_id)


@post("/console/product-orders/{order_id:int}/step", opt=HANDLE_OPT, name="console:product_order.step")
async def order_step(
    request: Request, order_id: FromPath[int], hall: HallDep, tenant: TenantDep, auditor: AuditorDep
) -> Response:
    form = await Form.from_request(request)
    actor = Actor.from_principal(info(request).principal)
    try:
        await services.operator_step(
            hall, tenant, order_id, form.value("action"), actor, auditor, form.value("comment")
        )
    except (ProductError, WorkOrderError) as exc:
        return await _order_page(
            request, hall, tenant, order_id, notice=exc.message, params=exc.params, status=exc.status
        )
    return redirect_to(request, "console:product_order", order_id=order_id)


@post("/console/product-orders/{order_id:int}/fail", opt=HANDLE_OPT, name="console:product_order.fail")
async def order_fail(
    request: Request, order_id: FromPath[int], hall: HallDep, tenant: TenantDep, auditor: AuditorDep
) -> Response:
    form = await Form.from_request(request)
    try:
        await services.operator_fail(hall, tenant, order_id, form.value("note"), auditor)
    except (ProductError, WorkOrderError) as exc:
        return await _order_page(
            request, hall, tenant, order_id, notice=exc.message, params=exc.params, status=exc.status
        )
    return redirect_to(request, "console:product_order", order_id=order_id)


@post("/console/product-requests/{request_id:int}/retry", opt=HANDLE_OPT, name="console:product_request.retry")
async def request_retry(
    request: Request, request_id: FromPath[int], hall: HallDep, tenant: TenantDep, auditor: AuditorDep
) -> Response:
    req = await LifecycleRequest.select().where(LifecycleRequest.id == request_id).first()
    if req is None:
        raise NotFoundException()
    try:
        await services.retry_request(hall, tenant, request_id, auditor)
    except ProductError:
        pass  # retried meanwhile by someone else: the page shows where it stands
    if req["order_id"] is not None:
        return redirect_to(request, "console:product_order", order_id=req["order_id"])
    return redirect_to(request, "console:product", product_id=req["product_id"])


@get("/console/products", opt=VIEW_OPT, name="console:products")
async def products_page(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    q = request.query_params
    text = (q.get("q") or "").strip()[:64]
    state = q.get("state") if q.get("state") in PRODUCT_STATES else ""
    problems = q.get("problems") == "1"
    query = Product.select().order_by(Product.account_legacy_id).order_by(Product.id)
    if text:
        await mirror_matching(text)
        query = query.where(
            (Product.account_legacy_id == text) | (Product.number == text) | (Product.customer_legacy_id == text)
        )
    if state:
        query = query.where(Product.state == state)
    if problems:
        query = query.where(Product.problem != "")
    page = await paginate(request, query) if (text or state or problems) else None
    rows = page.rows if page else []
    shown = describe(
        rows, await pending_changes([p["id"] for p in rows]), await load_catalog(hall, tenant), info(request).language
    )
    return await render(
        request,
        "products/console_products.html",
        {
            "products": shown,
            "filters": {"q": text, "state": state, "problems": problems},
            "states": PRODUCT_STATES,
            "searched": page is not None,
            **(page.template_context if page else {"page": 1, "more": False, "page_url": lambda n: ""}),
        },
        audience="operator",
    )


@get("/console/products/{product_id:int}", opt=VIEW_OPT, name="console:product")
async def product_page(request: Request, product_id: FromPath[int], hall: HallDep, tenant: TenantDep) -> Response:
    try:
        product = await get_product(product_id)
    except ProductError:
        raise NotFoundException() from None
    shown = describe(
        [product], await pending_changes([product_id]), await load_catalog(hall, tenant), info(request).language
    )[0]
    events = await ProductEvent.select().where(ProductEvent.product_id == product_id).order_by(ProductEvent.id)
    requests = (
        await LifecycleRequest.select().where(LifecycleRequest.product_id == product_id).order_by(LifecycleRequest.id)
    )
    return await render(
        request,
        "products/console_product.html",
        {
            "p": shown,
            "events": events,
            "requests": requests,
            "may_handle": may_handle(info(request).principal),
        },
        audience="operator",
    )


HANDLERS = [orders_page, order_page, order_step, order_fail, request_retry, products_page, product_page]
