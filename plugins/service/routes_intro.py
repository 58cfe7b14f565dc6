"""Service introduction: services and tariffs pages and business outlets; customers read them, operators edit them."""

from __future__ import annotations

import datetime as dt
import re

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from core.api import N_, format_fen, parse_yuan
from core.api.web import AuditorDep, Form, parse_int, redirect_to, render
from plugins.service import services
from plugins.service.content import MAX_BODY, plain_text, sanitise_html
from plugins.service.tables import Outlet, ServicePage

PUBLIC = {"auth": "public"}
CONTENT = {"auth": "operator", "permission": "service.content"}
KINDS = ("service", "tariff")
PAGE_FIELDS = {"title": 120, "summary": 300}
OUTLET_FIELDS = {
    "name": 120,
    "district": 60,
    "address": 200,
    "hours": 120,
    "phone": 40,
    "services": 300,
    "map_url": 300,
}
MONEY = re.compile(r"[0-9]{1,7}(\.[0-9]{1,2})?")  # ASCII digits: \d takes "١٢" too


@get("/", opt=PUBLIC, name="service:intro")
async def index(request: Request) -> Response:
    rows = (
        await ServicePage.select()
        .where(ServicePage.published.eq(True))
        .order_by(ServicePage.position)
        .order_by(ServicePage.id)
    )  # noqa: E712
    return await render(
        request,
        "service/index.html",
        {
            "services": [r for r in rows if r["kind"] == "service"],
            "tariffs": [r for r in rows if r["kind"] == "tariff"],
        },
    )


@get("/pages/{page_id:int}", opt=PUBLIC, name="service:page")
async def page_detail(request: Request, page_id: FromPath[int]) -> Response:
    row = await ServicePage.select().where((ServicePage.id == page_id) & (ServicePage.published == True)).first()  # noqa: E712
    if row is None:
        raise NotFoundException()
    return await render(request, "service/page.html", {"page": row, "body": sanitise_html(row["body"])})


@get("/outlets", opt=PUBLIC, name="service:outlets")
async def outlets(request: Request, district: FromQuery[str] = "") -> Response:
    rows = await Outlet.select().where(Outlet.published == True).order_by(Outlet.district).order_by(Outlet.name)  # noqa: E712
    districts = sorted({r["district"] for r in rows})
    shown = [r for r in rows if r["district"] == district] if district else rows
    return await render(
        request, "service/outlets.html", {"outlets": shown, "districts": districts, "district": district}
    )


# --- operators ---------------------------------------------------------------------------------


async def _manage(
    request: Request, page_form: Form | None = None, outlet_form: Form | None = None, status: int = 200
) -> Response:
    pages = (
        await ServicePage.select().order_by(ServicePage.kind).order_by(ServicePage.position).order_by(ServicePage.id)
    )
    rows = await Outlet.select().order_by(Outlet.district).order_by(Outlet.name)
    return await render(
        request,
        "service/manage.html",
        {
            "pages": pages,
            "outlets": rows,
            "page_form": page_form or Form({"kind": "service", "published": "on", "position": "0"}),
            "outlet_form": outlet_form or Form({"published": "on"}),
        },
        status=status,
        audience="operator",
    )


@get("/manage", opt=CONTENT, name="service:manage")
async def manage(request: Request) -> Response:
    return await _manage(request)


def _page_values(form: Form) -> dict:
    form.require("title")
    for name, limit in PAGE_FIELDS.items():
        if len(form.value(name)) > limit:
            form.error(name, N_("At most %(n)s characters."), n=limit)
    if form.value("kind") not in KINDS:
        form.error("kind", N_("Choose a value from the list."))
    body = form.data.get("body") or ""
    if len(body) > MAX_BODY:
        form.error("body", N_("At most %(n)s characters."), n=MAX_BODY)
    fee = form.value("monthly_fee")
    if fee and not MONEY.fullmatch(fee):
        form.error("monthly_fee", N_("Enter an amount in yuan, like 59 or 59.90."))
    position = form.value("position") or "0"
    if parse_int(position, low=-9999, high=9999) is None:
        form.error("position", N_("Enter a whole number."))
    if not form.valid:
        return {}
    cleaned = sanitise_html(body)
    return {
        "kind": form.value("kind"),
        "title": form.value("title"),
        "summary": form.value("summary") or plain_text(cleaned)[:300],
        "body": cleaned,
        "monthly_fee": parse_yuan(fee) if fee else None,
        "position": parse_int(position, low=-9999, high=9999),
        "published": bool(form.value("published")),
        "updated_at": dt.datetime.now(dt.timezone.utc),
    }


@post("/manage/pages", opt=CONTENT, name="service:page.create")
async def page_create(request: Request, auditor: AuditorDep) -> Response:
    form = await Form.from_request(request)
    values = _page_values(form)
    if not form.valid:
        return await _manage(request, page_form=form, status=400)
    await services.create_page(auditor, values)
    return redirect_to(request, "service:manage")


async def _or_404(table, row_id: int) -> dict:
    """The tenant's row of ``table`` (a service page or an outlet), or a 404."""
    row = await table.select().where(table.id == row_id).first()
    if row is None:
        raise NotFoundException()
    return row


@get("/manage/pages/{page_id:int}", opt=CONTENT, name="service:page.edit")
async def page_edit(request: Request, page_id: FromPath[int]) -> Response:
    row = await _or_404(ServicePage, page_id)
    data = {**row, "monthly_fee": format_fen(row["monthly_fee"]), "published": "on" if row["published"] else ""}
    return await render(request, "service/page_edit.html", {"page": row, "form": Form(data)}, audience="operator")


@post("/manage/pages/{page_id:int}", opt=CONTENT, name="service:page.save")
async def page_update(request: Request, page_id: FromPath[int], auditor: AuditorDep) -> Response:
    row = await _or_404(ServicePage, page_id)
    form = await Form.from_request(request)
    values = _page_values(form)
    if not form.valid:
        return await render(
            request, "service/page_edit.html", {"page": row, "form": form}, status=400, audience="operator"
        )
    await services.update_page(auditor, row, values)
    return redirect_to(request, "service:manage")


@post("/manage/pages/{page_id:int}/delete", opt=CONTENT, name="service:page.delete")
async def page_delete(request: Request, page_id: FromPath[int], auditor: AuditorDep) -> Response:
    await services.delete_page(auditor, await _or_404(ServicePage, page_id))
    return redirect_to(request, "service:manage")


def _outlet_values(form: Form) -> dict:
    form.require("name", "district", "address")
    for name, limit in OUTLET_FIELDS.items():
        if len(form.value(name)) > limit:
            form.error(name, N_("At most %(n)s characters."), n=limit)
    map_url = form.value("map_url")
    if map_url and not re.match(r"^https?://", map_url):
        form.error("map_url", N_("Enter a web address starting with http:// or https://."))
    if not form.valid:
        return {}
    return {**{name: form.value(name) for name in OUTLET_FIELDS}, "published": bool(form.value("published"))}


@post("/manage/outlets", opt=CONTENT, name="service:outlet.create")
async def outlet_create(request: Request, auditor: AuditorDep) -> Response:
    form = await Form.from_request(request)
    values = _outlet_values(form)
    if not form.valid:
        return await _manage(request, outlet_form=form, status=400)
    await services.create_outlet(auditor, values)
    return redirect_to(request, "service:manage")


@get("/manage/outlets/{outlet_id:int}", opt=CONTENT, name="service:outlet.edit")
async def outlet_edit(request: Request, outlet_id: FromPath[int]) -> Response:
    row = await _or_404(Outlet, outlet_id)
    form = Form({**row, "published": "on" if row["published"] else ""})
    return await render(request, "service/outlet_edit.html", {"outlet": row, "form": form}, audience="operator")


@post("/manage/outlets/{outlet_id:int}", opt=CONTENT, name="service:outlet.save")
async def outlet_update(request: Request, outlet_id: FromPath[int], auditor: AuditorDep) -> Response:
    row = await _or_404(Outlet, outlet_id)
    form = await Form.from_request(request)
    values = _outlet_values(form)
    if not form.valid:
        return await render(
            request, "service/outlet_edit.html", {"outlet": row, "form": form}, status=400, audience="operator"
        )
    await services.update_outlet(auditor, row, values)
    return redirect_to(request, "service:manage")


@post("/manage/outlets/{outlet_id:int}/delete", opt=CONTENT, name="service:outlet.delete")
async def outlet_delete(request: Request, outlet_id: FromPath[int], auditor: AuditorDep) -> Response:
    await services.delete_outlet(auditor, await _or_404(Outlet, outlet_id))
    return redirect_to(request, "service:manage")


HANDLERS = [
    index,
    page_detail,
    outlets,
    manage,
    page_create,
    page_edit,
    page_update,
    page_delete,
    outlet_create,
    outlet_edit,
    outlet_update,
    outlet_delete,
]
