"""The customer's lines with long-distance and international on/off (开/停长途): the BSS's state, read live,
and a pending switch until the BSS shows it."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api.identity import linked_numbers
from core.api.web import Form, HallDep, TenantDep, info, redirect_to, render

from . import features, install


async def _lines(hall, tenant, account_id: int) -> list:
    source = features.lines_of(hall, tenant)
    numbers = await linked_numbers(account_id)
    if source is None or not numbers:
        return []
    await features.confirm(source, numbers)
    pending = await features.pending_of(numbers)
    out = []
    for number in numbers:
        line = await source.line_by_number(number)
        if line is not None and line.kind == "phone" and line.status != "closed":
            out.append((line, {f: pending.get((number, f)) for f in features.FEATURES}))
    return out


@get("/lines", name="phone:lines")
async def lines(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    rows = await _lines(hall, tenant, info(request).customer.id)
    return await render(request, "phone/lines.html", {"lines": rows, "features": features.FEATURES})


@post("/lines/{number:str}", name="phone:lines.switch")
async def switch(request: Request, number: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    account_id = info(request).customer.id
    form = await Form.from_request(request)
    feature, wanted = form.value("feature"), form.value("wanted") == "on"
    if number not in await linked_numbers(account_id) or feature not in features.FEATURES:
        raise NotFoundException()
    customer = await install.customer_of(account_id)
    await features.request(account_id, customer.legacy_id if customer else "", number, feature, wanted)
    return redirect_to(request, "phone:lines")


HANDLERS = [lines, switch]
