"""Console: the warehouse - stock locations, stock per product and location, stock in, transfers and adjustments."""

from __future__ import annotations

from litestar import Request, Response, get, post

from core.api.web import AuditorDep, FieldErrors, Form, redirect_to, render
from plugins.shop import warehouse

MANAGE = {"auth": "operator", "permission": "shop.manage"}


async def _page(request: Request, *, move: Form | None = None, place: Form | None = None, status: int = 200):
    context = {**await warehouse.overview(), "move": move or Form({"kind": "in"}), "place": place or Form()}
    return await render(request, "shop/warehouse.html", context, status=status, audience="operator")


@get("/console/warehouse", opt=MANAGE, name="shop:console.warehouse")
async def warehouse_page(request: Request) -> Response:
    return await _page(request)


@post("/console/warehouse/move", opt=MANAGE, name="shop:console.stock_move")
async def stock_move(request: Request, auditor: AuditorDep) -> Response:
    """Stock in, a transfer between locations, or an adjustment with its reason (audited, a movement each)."""
    form = await Form.from_request(request)
    fields = ("kind", "product", "location", "to_location", "quantity", "reason")
    try:
        await warehouse.move({k: form.value(k) for k in fields}, auditor=auditor)
    except FieldErrors as problems:
        form.take(problems)
        return await _page(request, move=form, status=400)
    return redirect_to(request, "shop:console.warehouse")


@post("/console/warehouse/locations", opt=MANAGE, name="shop:console.location_add")
async def location_add(request: Request, auditor: AuditorDep) -> Response:
    form = await Form.from_request(request)
    try:
        await warehouse.add_location(form.value("code"), form.value("name_zh"), form.value("name_en"), auditor=auditor)
    except FieldErrors as problems:
        form.take(problems)
        return await _page(request, place=form, status=400)
    return redirect_to(request, "shop:console.warehouse")


HANDLERS = [warehouse_page, stock_move, location_add]
