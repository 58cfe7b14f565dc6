"""The console's number pool: the live holds with their customers and times, and a look at the BSS's pool."""

from __future__ import annotations

from litestar import Request, Response, get

from core.api.web import HallDep, TenantDep, render

from . import holds, pool
from .tables import NumberHold

OPERATOR = {"auth": "operator", "permission": "phone.pool"}


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


HANDLERS = [console_pool]
