"""Who viewed or exported call records: the customer's own trail, and the operators' view of the tenant's trail."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromQuery

from core.api.legacy import tenant_zone
from core.api.web import info, query_int, render
from plugins.bills.tables import CallAccess

PER_PAGE = 50
COLUMNS = (
    CallAccess.at,
    CallAccess.actor,
    CallAccess.number,
    CallAccess.month,
    CallAccess.kind,
    CallAccess.filters,
    CallAccess.address,
)
CONSOLE = {"auth": "operator", "permission": "bills.access_log"}


MAX_PAGE = 100000


def _page_number(request: Request) -> int:
    return query_int(request, "page", default=1, high=MAX_PAGE)


async def _rows(request: Request, condition, page: int) -> tuple[list[dict], bool]:
    zone = tenant_zone(info(request).tenant)
    query = CallAccess.select(*COLUMNS)
    if condition is not None:
        query = query.where(condition)
    rows = (
        await query.order_by(CallAccess.at, ascending=False)
        .order_by(CallAccess.id, ascending=False)
        .limit(PER_PAGE + 1)
        .offset((page - 1) * PER_PAGE)
    )
    return [{**r, "local": r["at"].astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")} for r in rows[:PER_PAGE]], len(
        rows
    ) > PER_PAGE


@get("/access-log", name="bills:access_log")
async def my_access_log(request: Request) -> Response:
    number = _page_number(request)
    rows, more = await _rows(request, CallAccess.account == info(request).customer.id, number)
    return await render(request, "bills/access_log.html", {"rows": rows, "page": number, "more": more})


@get("/console/access-log", opt=CONSOLE, name="bills:console.access_log")
async def console_access_log(request: Request, number: FromQuery[str] = "") -> Response:
    wanted = number.strip()[:32]
    current = _page_number(request)
    rows, more = await _rows(request, (CallAccess.number == wanted) if wanted else None, current)
    return await render(
        request,
        "bills/console_access_log.html",
        {"rows": rows, "page": current, "more": more, "number": wanted},
        audience="operator",
    )


HANDLERS = [my_access_log, console_access_log]
