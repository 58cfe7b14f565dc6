"""The console's number pool (the live holds with their customers and times, a look at the BSS's pool) and the
appointments per day of installations and moves."""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get

from core.api import zone_of
from core.api.products import OPEN_ORDER, ProductOrder, ProductOrderItem
from core.api.web import HallDep, TenantDep, render

from . import clock, holds, pool
from .tables import NumberHold

OPERATOR = {"auth": "operator", "permission": "phone.pool"}
WITH_APPOINTMENTS = ("phone.install", "phone.move")


@get("/console/pool", opt=OPERATOR, name="phone:console_pool")
async def console_pool(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    settings = tenant.plugin_settings("phone")
    live = await NumberHold.select().where(holds.live()).order_by(NumberHold.created_at, ascending=False).limit(200)
    recent = (
        await NumberHold.select()
        .where(NumberHold.live_number.is_null())
        .order_by(NumberHold.id, ascending=False)
        .limit(50)
    )
    offers = []
    source = pool.pool_of(hall, tenant)
    if source is not None:
        try:
            offers, _ = await pool.search(source, settings, pool.parse_filters({"grade": ""}, settings))
        except (ConnectionError, OSError):
            offers = []
    return await render(
        request,
        "phone/console_pool.html",
        {"live": live, "recent": recent, "offers": offers, "settings": settings},
        audience="operator",
    )


async def appointments_on(day: str) -> list[dict]:
    """Installations and moves still open with an appointment on ``day`` (the tenant's date), by time window."""
    orders = await ProductOrder.select().where(
        ProductOrder.process.is_in(list(WITH_APPOINTMENTS)) & ProductOrder.state.is_in(list(OPEN_ORDER))
    )
    if not orders:
        return []
    by_id = {o["id"]: o for o in orders}
    items = await ProductOrderItem.select().where(ProductOrderItem.order_id.is_in(list(by_id)))
    out = []
    for item in items:
        params = item["params"] or {}
        if params.get("appointment_date") == day:
            out.append({"order": by_id[item["order_id"]], "item": item, "params": params})
    return sorted(out, key=lambda r: (r["params"].get("appointment_slot", ""), r["order"]["id"]))


@get("/console/appointments", opt=OPERATOR, name="phone:console_appointments")
async def console_appointments(request: Request, tenant: TenantDep) -> Response:
    """The day's appointments (default: today where the tenant is), with the address and the order's state."""
    today = clock.now().astimezone(zone_of(tenant)).date()
    wanted = str(request.query_params.get("date") or "")[:10]
    try:
        day = dt.date.fromisoformat(wanted) if wanted else today
    except ValueError:
        day = today
    rows = await appointments_on(day.isoformat())
    return await render(
        request,
        "phone/console_appointments.html",
        {"rows": rows, "day": day, "days": [day + dt.timedelta(days=d) for d in (-1, 1)]},
        audience="operator",
    )


HANDLERS = [console_pool, console_appointments]
