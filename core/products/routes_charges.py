"""Console: the charge runs (定期划帐) with what each did - charged, skipped, arrears, settled, failed with reasons -
and the charges of one run; times in the tenant's zone."""

from __future__ import annotations

import json

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.products.access import VIEW
from core.products.charge_tables import Charge, ChargeRun
from core.web.paging import paginate
from core.web.render import render

VIEW_OPT = {"auth": "operator", "permission": VIEW}


def _decoded(run: dict) -> dict:
    """The run with its JSON lists as lists (SQLite hands them back as text)."""
    out = dict(run)
    for key in ("failures", "autopay_refused"):
        value = out.get(key)
        out[key] = json.loads(value or "[]") if isinstance(value, str) else (value or [])
    return out


STATES = ("posted", "debited", "arrears", "paid", "skipped")


@get("/console/charge-runs", opt=VIEW_OPT, name="console:charge_runs")
async def runs_page(request: Request) -> Response:
    page = await paginate(request, ChargeRun.select().order_by(ChargeRun.id, ascending=False))
    arrears = await Charge.count().where(Charge.state == "arrears")
    return await render(
        request,
        "products/console_charge_runs.html",
        {"runs": [_decoded(r) for r in page.rows], "open_arrears": arrears, **page.template_context},
        audience="operator",
    )


@get("/console/charge-runs/{run_id:int}", opt=VIEW_OPT, name="console:charge_run")
async def run_page(request: Request, run_id: FromPath[int]) -> Response:
    run = await ChargeRun.select().where(ChargeRun.id == run_id).first()
    if run is None:
        raise NotFoundException()
    state = request.query_params.get("state")
    query = Charge.select().where(Charge.run_id == run_id).order_by(Charge.period).order_by(Charge.product_id)
    if state in STATES:
        query = query.where(Charge.state == state)
    page = await paginate(request, query)
    return await render(
        request,
        "products/console_charge_run.html",
        {"run": _decoded(run), "charges": page.rows, "states": STATES, "state": state or "", **page.template_context},
        audience="operator",
    )


HANDLERS = [runs_page, run_page]
