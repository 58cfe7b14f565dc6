"""Console: stock, batches (generate, import, stock, activate, void, export), the audit, alerts, orders (void, hold)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_
from core.api.web import (
    AuditorDep,
    Form,
    HallDep,
    NamedDependency,
    TenantDep,
    audit,
    info,
    parse_int,
    query_int,
    redirect_to,
    render,
)
from plugins.shop import batches
from plugins.shop.aftersales import page_context
from plugins.shop.alerts import mark_seen
from plugins.shop.audit import audit_stock
from plugins.shop.console import order_detail, overview
from plugins.shop.orders import hold_order, void_order
from plugins.shop.pins import keys_for
from plugins.shop.settings import ShopSettings
from plugins.shop.tables import GENERATED, IN_STOCK, SOLD, Batch

VIEW = {"auth": "operator", "permission": "shop.view"}
MANAGE = {"auth": "operator", "permission": "shop.manage"}
ORDERS = {"auth": "operator", "permission": "shop.orders"}
Settings = NamedDependency[ShopSettings]


async def _console(request: Request, form: Form | None = None, *, notice: str = "", status: int = 200) -> Response:
    return await render(
        request,
        "shop/console.html",
        {"form": form or Form(), "notice": notice, **await overview()},
        status=status,
        audience="operator",
    )


@get("/console", opt=VIEW, name="shop:console")
async def console(request: Request) -> Response:
    return await _console(request, notice=str(request.query_params.get("done") or "")[:40])


def _product_id(form: Form) -> int | None:
    value = parse_int(form.value("product"), low=1, high=2**31 - 1)
    if value is None:
        form.error("product", N_("Choose a product."))
    return value


@post("/console/batches", opt=MANAGE, name="shop:console.generate")
async def generate(request: Request, hall: HallDep, tenant: TenantDep, settings: Settings) -> Response:
    form = await Form.from_request(request)
    product = _product_id(form)
    count = parse_int(form.value("count"), low=1, high=batches.MAX_BATCH)
    if count is None:
        form.error("count", N_("Enter a number of cards from 1 to 100000."))
    if not form.valid:
        return await _console(request, form, status=400)
    try:
        batch = await batches.generate(keys_for(hall, tenant), product, count, digits=settings.pin_digits)
    except batches.BatchError as problem:
        form.error("count", problem.message, **problem.params)
        return await _console(request, form, status=400)
    await audit(
        request, "shop.batch.generate", object_type="shop_batch", object_id=batch["code"], after={"count": count}
    )
    return redirect_to(request, "shop:console", query={"done": "generated"})


@post("/console/batches/import", opt=MANAGE, name="shop:console.import")
async def import_batch(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    form = await Form.from_request(request)
    product = _product_id(form)
    text = (await request.form()).get("csv") or ""
    if not form.valid:
        return await _console(request, form, status=400)
    try:
        batch = await batches.import_csv(keys_for(hall, tenant), product, str(text)[:5_000_000])
    except batches.BatchError as problem:
        form.error("csv", problem.message, **problem.params)
        return await _console(request, form, status=400)
    await audit(
        request,
        "shop.batch.import",
        object_type="shop_batch",
        object_id=batch["code"],
        after={"count": batch["generated"]},
    )
    return redirect_to(request, "shop:console", query={"done": "imported"})


MOVES = {"stock": (GENERATED, IN_STOCK), "activate": (IN_STOCK, SOLD)}


@post("/console/batches/{batch_id:int}/{action:str}", opt=MANAGE, name="shop:console.batch")
async def batch_action(request: Request, batch_id: FromPath[int], action: FromPath[str]) -> Response:
    """Put a batch in stock, activate it for sale elsewhere (sold), or void what was not sold."""
    batch = await Batch.select().where(Batch.id == batch_id).first()
    if batch is None or action not in ("stock", "activate", "void"):
        raise NotFoundException()
    moved = await batches.void(batch_id) if action == "void" else await batches.move(batch_id, *MOVES[action])
    await audit(
        request, f"shop.batch.{action}", object_type="shop_batch", object_id=batch["code"], after={"cards": moved}
    )
    return redirect_to(request, "shop:console", query={"done": action})


@get("/console/batches/{batch_id:int}/export", opt=MANAGE, name="shop:console.export")
async def export(request: Request, batch_id: FromPath[int], hall: HallDep, tenant: TenantDep) -> Response:
    """Serial and PIN of every unredeemed card of the batch, for the printer (audited)."""
    batch = await Batch.select().where(Batch.id == batch_id).first()
    if batch is None:
        raise NotFoundException()
    text = await batches.export_for_printing(keys_for(hall, tenant), batch_id)
    await audit(request, "shop.batch.export", object_type="shop_batch", object_id=batch["code"])
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{batch["code"]}.csv"', "Cache-Control": "no-store"},
    )


@post("/console/audit", opt=VIEW, name="shop:console.audit")
async def run_audit(request: Request) -> Response:
    await audit_stock()
    return redirect_to(request, "shop:console", query={"done": "audited"})


@post("/console/alerts/{alert_id:int}/seen", opt=VIEW, name="shop:console.seen")
async def alert_seen(request: Request, alert_id: FromPath[int]) -> Response:
    await mark_seen(alert_id)
    await audit(request, "shop.alert.seen", object_type="shop_alert", object_id=str(alert_id))
    return redirect_to(request, "shop:console")


async def order_page_response(request: Request, number: str, form: Form | None = None, status: int = 200) -> Response:
    """The console's order page (``form``: a posted form with its errors)."""
    found = await order_detail(number)
    if found is None:
        raise NotFoundException()
    settings = info(request).tenant.plugin_settings("shop")
    context = {
        **found,
        "form": form or Form(),
        "couriers": settings.couriers,
        "methods": settings.shipping_methods,
        **await page_context(found["order"]),
    }
    return await render(request, "shop/console_order.html", context, status=status, audience="operator")


@get("/console/orders/{number:str}", opt=VIEW, name="shop:console.order")
async def console_order(request: Request, number: FromPath[str]) -> Response:
    return await order_page_response(request, number)


@post("/console/orders/{number:str}/{action:str}", opt=ORDERS, name="shop:console.order_action")
async def order_action(
    request: Request, number: FromPath[str], action: FromPath[str], hall: HallDep, auditor: AuditorDep
) -> Response:
    """Void (card voided, money refunded) or hold/release an order, always with a reason (audited)."""
    found = await order_detail(number)
    if found is None or action not in ("void", "hold"):
        raise NotFoundException()
    form = await Form.from_request(request)
    form.require("reason")
    if not form.valid:
        return await order_page_response(request, number, form, status=400)
    order, reason = found["order"], form.value("reason")
    done = (
        await void_order(hall, order, reason=reason, operator=auditor.actor)
        if action == "void"
        else await hold_order(order, reason=reason)
    )
    if not done:
        form.error("reason", N_("This order cannot be changed that way in its present state."))
        return await order_page_response(request, number, form, status=409)
    await audit(request, f"shop.order.{action}", object_type="shop_order", object_id=number, after={"reason": reason})
    return redirect_to(request, "shop:console.order", number=number)


@get("/console/stats", opt=VIEW, name="shop:console.stats")
async def stats_page(request: Request, tenant: TenantDep) -> Response:
    """Sales by day with a chart, product and buyer rankings, conversion (product views, orders, paid)."""
    from plugins.shop.stats import figures

    days = query_int(request, "days", default=30, high=366) or 30
    return await render(request, "shop/stats.html", await figures(tenant, days), audience="operator")


@get("/console/stats.csv", opt=VIEW, name="shop:console.stats_csv")
async def stats_csv(request: Request, tenant: TenantDep) -> Response:
    from plugins.shop.stats import as_csv, figures

    days = query_int(request, "days", default=30, high=366) or 30
    return Response(
        as_csv(await figures(tenant, days)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="shop-sales-{days}d.csv"'},
    )


HANDLERS = [
    stats_page,
    stats_csv,
    console,
    generate,
    import_batch,
    batch_action,
    export,
    run_audit,
    alert_seen,
    console_order,
    order_action,
]
