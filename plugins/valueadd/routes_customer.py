"""The customer's page: value-added services per line, ordered or ended with one confirmation each."""

from __future__ import annotations

from litestar import Request, Response, get, post

from core.api import N_
from core.api.products import NotEligible, ProductError
from core.api.web import Form, HallDep, TenantDep, gettext, info, redirect_to, render

from . import services


async def _page(request: Request, hall, tenant, *, notice: str = "", reasons=None, status: int = 200) -> Response:
    ri = info(request)
    return await render(
        request,
        "valueadd/index.html",
        {
            "lines": await services.lines(hall, tenant, ri.customer.id),
            "token": services.new_token(),
            "form": Form(),
            "notice": notice,
            "refused": reasons or [],
        },
        status=status,
    )


@get("/", name="valueadd:index")
async def index(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    return await _page(request, hall, tenant)


def _find(lines, number: str, code: str):
    line = next((ln for ln in lines if ln.number == number), None)
    return None if line is None else next((s for s in line.services if s.offering.code == code), None)


@post("/order", name="valueadd:order")
async def order(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    """Add the service to the line (``action=add``), or end it at the month's end (``action=end``)."""
    ri = info(request)
    form = await Form.from_request(request)
    number, code, action, token = (form.value(k) for k in ("number", "offering", "action", "token"))
    service = _find(await services.lines(hall, tenant, ri.customer.id), number, code)
    _ = gettext(request)
    try:
        if service is None or not token or action not in ("add", "end"):
            raise ProductError(N_("Choose one of the services below."))
        name = service.offering.display_name(ri.language)
        if action == "add":
            title = _("%(service)s on %(number)s") % {"service": name, "number": number}
            placed = await services.order_add(
                hall, tenant, ri.customer.id, service, number, token[:40], title, ri.language
            )
        else:
            title = _("End %(service)s on %(number)s") % {"service": name, "number": number}
            placed = await services.order_end(hall, tenant, ri.customer.id, service, token[:40], title, ri.language)
    except NotEligible as exc:
        return await _page(request, hall, tenant, reasons=exc.reasons, status=400)
    except ProductError as exc:
        return await _page(request, hall, tenant, notice=exc.message, status=exc.status)
    return redirect_to(request, "account:product_order", order_id=placed["id"])


HANDLERS = [index, order]
