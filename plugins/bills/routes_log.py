"""Who viewed or exported call records: the customer's own trail, and the operators' view of the tenant's trail."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.params import FromQuery

from core.api.legacy import tenant_zone
from core.api.web import info, paginate, render
from plugins.bills.tables import CallAccess

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


async def _page(request: Request, condition) -> dict:
    """One page of the trail (newest first), each row with its time in the tenant's zone, and the pager's names."""
    zone = tenant_zone(info(request).tenant)
    query = CallAccess.select(*COLUMNS)
    if condition is not None:
        query = query.where(condition)
    page = await paginate(
        request, query.order_by(CallAccess.at, ascending=False).order_by(CallAccess.id, ascending=False)
    )
    rows = [{**r, "local": r["at"].astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")} for r in page.rows]
    return {"rows": rows, **page.template_context}


@get("/access-log", name="bills:access_log")
async def my_access_log(request: Request) -> Response:
    context = await _page(request, CallAccess.account == info(request).customer.id)
    return await render(request, "bills/access_log.html", context)


@get("/console/access-log", opt=CONSOLE, name="bills:console.access_log")
async def console_access_log(request: Request, number: FromQuery[str] = "") -> Response:
    wanted = number.strip()[:32]
    context = await _page(request, (CallAccess.number == wanted) if wanted else None)
    return await render(request, "bills/console_access_log.html", {**context, "number": wanted}, audience="operator")


HANDLERS = [my_access_log, console_access_log]
