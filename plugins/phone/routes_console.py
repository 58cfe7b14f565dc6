"""The console's number pool (the live holds with their customers and times, a look at the BSS's pool) and the
appointments per day of installations and moves, each with its installer (plugins/phone/roster.py)."""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get, post

from core.api import N_, zone_of
from core.api.products import OPEN_ORDER, ProductOrder, ProductOrderItem
from core.api.web import FieldErrors, Form, HallDep, TenantDep, gettext, info, redirect_to, render
from core.api.workorders import Actor

from . import clock, holds, pool, roster
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


def _day(tenant, wanted: str) -> dt.date:
    today = clock.now().astimezone(zone_of(tenant)).date()
    try:
        return dt.date.fromisoformat(wanted[:10]) if wanted else today
    except ValueError:
        return today


async def _appointments_page(request: Request, tenant, day: dt.date, *, problems=None, status: int = 200):
    rows = await roster.with_installers(await appointments_on(day.isoformat()))
    form = Form({})
    if problems is not None:
        form.take(problems)
    return await render(
        request,
        "phone/console_appointments.html",
        {
            "rows": rows,
            "day": day,
            "days": [day + dt.timedelta(days=d) for d in (-1, 1)],
            "installers": await roster.installers(tenant),
            "form": form,
        },
        audience="operator",
        status=status,
    )


@get("/console/appointments", opt=OPERATOR, name="phone:console_appointments")
async def console_appointments(request: Request, tenant: TenantDep) -> Response:
    """The day's appointments (default: today where the tenant is), with the address, installer and order's state."""
    return await _appointments_page(request, tenant, _day(tenant, str(request.query_params.get("date") or "")))


@post("/console/appointments/assign", opt=OPERATOR, name="phone:console_appointments.assign")
async def console_assign(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    """Send an installer to an appointment: the order's work order is handed to them."""
    form = await Form.from_request(request)
    day = _day(tenant, form.value("date"))
    order_id, operator = form.value("order"), form.value("operator")
    order = (
        await ProductOrder.select()
        .where((ProductOrder.id == int(order_id)) & ProductOrder.process.is_in(list(WITH_APPOINTMENTS)))
        .first()
        if order_id.isdigit()
        else None
    )
    if not operator.isdigit():
        problems = FieldErrors()
        problems.add("operator", N_("Choose an installer."))
        return await _appointments_page(request, tenant, day, problems=problems, status=400)
    reason = gettext(request)(N_("Installer for the appointment on %(day)s")) % {"day": day.isoformat()}
    try:
        await roster.assign(hall, Actor.from_principal(info(request).principal), order, int(operator), reason)
    except FieldErrors as problems:
        return await _appointments_page(request, tenant, day, problems=problems, status=400)
    return redirect_to(request, "phone:console_appointments", query={"date": day.isoformat()})


HANDLERS = [console_pool, console_appointments, console_assign]
