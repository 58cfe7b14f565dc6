"""The customer's line services: suspend (报停) with a reason and a date, resume (复机), move (移机) with the new
address and an appointment, terminate (拆机) after seeing the final settlement. Each places a product order."""

from __future__ import annotations

import secrets

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_
from core.api.products import NotEligible, ProductError
from core.api.web import FieldErrors, Form, HallDep, TenantDep, gettext, info, redirect_to, render

from . import install, service

TITLES = {
    "suspend": N_("Suspension of %(number)s"),
    "resume": N_("Resumption of %(number)s"),
    "move": N_("Move of %(number)s"),
    "terminate": N_("Termination of %(number)s"),
}


async def _customer_and_lines(request: Request, hall, tenant):
    customer = await install.customer_of(info(request).customer.id)
    if customer is None:
        raise NotFoundException()
    return customer, await service.lines(hall, tenant, customer)


async def _line(request, hall, tenant, number: str, kind: str):
    customer, lines = await _customer_and_lines(request, hall, tenant)
    line = next((ln for ln in lines if ln["number"] == number), None)
    if line is None or kind not in service.allowed(line):
        raise NotFoundException()
    return customer, line


@get("/service", name="phone:service")
async def service_index(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    _, lines = await _customer_and_lines(request, hall, tenant)
    return await render(request, "phone/service.html", {"lines": [(ln, service.allowed(ln)) for ln in lines]})


async def _form_page(request, hall, tenant, line, kind, form: Form, *, notice="", status=200):
    settle = await service.settlement(hall, tenant, line) if kind == "terminate" else None
    return await render(
        request,
        "phone/service_form.html",
        {
            "line": line,
            "kind": kind,
            "form": form,
            "settings": tenant.plugin_settings("phone"),
            "settlement": settle,
            "notice": notice,
            "token": form.value("token") or secrets.token_urlsafe(16),
        },
        status=status,
    )


@get("/service/{number:str}/{kind:str}", name="phone:service.form")
async def service_form(
    request: Request, number: FromPath[str], kind: FromPath[str], hall: HallDep, tenant: TenantDep
) -> Response:
    _, line = await _line(request, hall, tenant, number, kind)
    return await _form_page(request, hall, tenant, line, kind, Form())


@post("/service/{number:str}/{kind:str}", name="phone:service.form.submit")
async def service_submit(
    request: Request, number: FromPath[str], kind: FromPath[str], hall: HallDep, tenant: TenantDep
) -> Response:
    customer, line = await _line(request, hall, tenant, number, kind)
    form = await Form.from_request(request)
    ri = info(request)
    title = gettext(request)(TITLES[kind]) % {"number": line["number"]}
    try:
        placed = await service.order(
            hall, tenant, tenant.plugin_settings("phone"), customer, line, kind, form, title, ri.language
        )
    except FieldErrors as problems:
        form.take(problems)
        return await _form_page(request, hall, tenant, line, kind, form, status=400)
    except NotEligible as exc:
        message, params = exc.reasons[0]
        return await _form_page(request, hall, tenant, line, kind, form, notice=message, status=400)
    except ProductError as exc:
        return await _form_page(request, hall, tenant, line, kind, form, notice=exc.message, status=exc.status)
    return redirect_to(request, "account:product_order", order_id=placed["id"])


HANDLERS = [service_index, service_form, service_submit]
