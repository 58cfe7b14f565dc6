"""The customer's pages: my lines and their plans, the plans one line can change to, confirm, order."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_
from core.api.products import NotEligible, ProductError
from core.api.web import Form, HallDep, TenantDep, gettext, info, redirect_to, render

from . import services


def _number(number: str) -> str:
    number = number.strip()
    if not (number.isascii() and number.isdigit() and len(number) <= 32):
        raise NotFoundException()
    return number


async def _line(request: Request, hall, tenant, number: str) -> services.Line:
    ri = info(request)
    line = await services.line_of(hall, tenant, ri.customer.id, _number(number), ri.language)
    if line is None:
        raise NotFoundException()
    return line


@get("/", name="plans:index")
async def index(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    ri = info(request)
    return await render(
        request, "plans/index.html", {"lines": await services.lines(hall, tenant, ri.customer.id, ri.language)}
    )


async def _choose(
    request: Request, hall, tenant, line: services.Line, *, reasons=None, notice: str = "", status: int = 200
) -> Response:
    offers = await services.choices(hall, tenant, info(request).customer.id, line.product["id"])
    return await render(
        request,
        "plans/choose.html",
        {"line": line, "offers": offers, "refused": reasons or [], "notice": notice},
        status=status,
    )


@get("/{number:str}", name="plans:choose")
async def choose(request: Request, number: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    return await _choose(request, hall, tenant, await _line(request, hall, tenant, number))


@get("/{number:str}/confirm", name="plans:confirm")
async def confirm(request: Request, number: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    line = await _line(request, hall, tenant, number)
    code = request.query_params.get("offering") or ""
    offer = next(
        (
            o
            for o in await services.choices(hall, tenant, info(request).customer.id, line.product["id"])
            if o[0].code == code
        ),
        None,
    )
    if offer is None:
        return await _choose(request, hall, tenant, line, notice=N_("Choose one of the plans below."), status=400)
    offering, reasons, when = offer
    if reasons:
        return await _choose(request, hall, tenant, line, reasons=reasons, status=400)
    return await render(
        request,
        "plans/confirm.html",
        {"line": line, "offering": offering, "when": when, "token": services.new_token(), "form": Form()},
    )


@post("/{number:str}/order", name="plans:order")
async def order(request: Request, number: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    ri = info(request)
    line = await _line(request, hall, tenant, number)
    form = await Form.from_request(request)
    code, token = form.value("offering"), form.value("token")
    offer = next(
        (o for o in await services.choices(hall, tenant, ri.customer.id, line.product["id"]) if o[0].code == code), None
    )
    _ = gettext(request)
    try:
        if offer is None or not token:
            raise ProductError(N_("Choose one of the plans below."))
        title = _("Plan change of %(number)s to %(plan)s") % {
            "number": line.product["number"],
            "plan": offer[0].display_name(ri.language),
        }
        placed = await services.order_change(
            hall, tenant, ri.customer.id, line, offer[0], token[:40], title, ri.language
        )
    except NotEligible as exc:
        return await _choose(request, hall, tenant, line, reasons=exc.reasons, status=400)
    except ProductError as exc:
        return await _choose(request, hall, tenant, line, notice=exc.message, status=exc.status)
    return redirect_to(request, "account:product_order", order_id=placed["id"])


HANDLERS = [index, choose, confirm, order]
