"""Call records of one linked number and month: filtered, sorted, paged page; CSV and PDF exports; each one audited.

The page is served from the page cache, but every view, stored or rendered, passes the step-up
check and is written to the access trail: a hit replays both (:func:`on_hit`) before the stored
page goes out, with what the rendering request recorded (:class:`Viewed`).
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request, Response, get
from litestar.params import FromPath

from core.api import N_, format_fen
from core.api.legacy import tenant_zone
from core.api.web import (
    PageHit,
    cached_page,
    client_address,
    data_as_of_context,
    gettext,
    info,
    keep_for_hits,
    redirect_to,
    render,
)
from plugins.bills import calls, data, months, stepup, trail
from plugins.bills.routes_bills import own_number, problem, settings_of

HEADER = (N_("Time"), N_("Number called"), N_("Type"), N_("Duration (s)"), N_("Charge (¥)"))


class Refused(Exception):
    """Answer with ``response`` instead (step-up needed, bad month)."""

    def __init__(self, response):
        self.response = response


async def _prepare(request: Request, number: str, kind: str) -> tuple[calls.Filters, list[str], object]:
    """Own number (404), step-up (redirect), month window (400 page); the filters, maybe with field errors."""
    ri = info(request)
    linked = await own_number(request, number)
    settings = settings_of(request)
    if settings.calls_step_up and not await stepup.fresh(ri.customer.session_id, settings.step_up_minutes):
        target = ri.url(request.url.path) + (("?" + request.url.query) if request.url.query else "")
        raise Refused(redirect_to(request, "bills:step_up", query={"next": target}))
    zone = tenant_zone(ri.tenant)
    allowed = months.window(await data.latest_month(number), settings.months_shown, zone)
    try:
        filters = calls.parse(dict(request.query_params), allowed, zone)
    except months.BadMonth as error:
        raise Refused(await problem(request, error, number)) from None
    return filters, linked, settings


async def _audit(request: Request, number: str, filters: calls.Filters, kind: str) -> None:
    ri = info(request)
    await calls.record_access(
        account_id=ri.customer.id,
        actor=ri.customer.name,
        number=number,
        filters=filters,
        kind=kind,
        address=client_address(request),
    )


@dataclass(frozen=True)
class Viewed:
    """What a rendered call-records page recorded, replayed by each hit: its step-up rule and its trail row."""

    number: str
    filters: calls.Filters
    step_up: bool
    step_up_minutes: int


async def on_hit(hit: PageHit) -> bool:
    """A stored call-records page may go out only to a session whose step-up is still fresh, and is audited as a view."""
    viewed: Viewed = hit.note  # type: ignore[assignment]
    if viewed.step_up and not await stepup.fresh(hit.session_id, viewed.step_up_minutes):
        return False  # the normal path asks for the code again
    row = calls.access_row(hit.customer_id, hit.name, viewed.number, viewed.filters, "view", hit.address)
    await trail.writer().write(row)  # committed before the page goes out; concurrent views share the insert
    return True


@get("/{number:str}/calls", name="bills:calls", opt=cached_page(on_hit=on_hit))
async def calls_page(request: Request, number: FromPath[str]) -> Response:
    try:
        filters, linked, settings = await _prepare(request, number, "view")
    except Refused as refused:
        return refused.response
    zone = tenant_zone(info(request).tenant)
    context = {
        "number": number,
        "linked": linked,
        "filters": filters,
        "types": calls.TYPES,
        "rows": [],
        "total": None,
        **await data_as_of_context(request, ("calls",)),
    }
    if not filters.valid:
        return await render(request, "bills/calls.html", context, status=400)
    total = await calls.summary(number, filters)
    per_page = settings.calls_per_page
    pages = max((total["count"] + per_page - 1) // per_page, 1)
    filters.page = min(filters.page, pages)
    rows = await calls.records(number, filters, limit=per_page, offset=(filters.page - 1) * per_page)
    await _audit(request, number, filters, "view")
    keep_for_hits(request, Viewed(number, filters, settings.calls_step_up, settings.step_up_minutes))
    return await render(
        request,
        "bills/calls.html",
        {
            **context,
            "total": total,
            "pages": pages,
            "duration": calls.duration,
            "rows": calls.shown(rows, settings.mask_called_numbers, zone),
        },
    )


async def _export_rows(request: Request, number: str, kind: str):
    filters, _linked, settings = await _prepare(request, number, kind)
    if not filters.valid:
        message, params = next(iter(filters.errors.values()))
        raise Refused(await problem(request, months.BadMonth(message, **params), number))
    rows = await calls.records(number, filters, limit=settings.export_max_rows)
    await _audit(request, number, filters, kind)
    return filters, calls.shown(rows, settings.mask_called_numbers, tenant_zone(info(request).tenant))


def _download(body, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@get("/{number:str}/calls.csv", name="bills:calls.csv")
async def calls_csv(request: Request, number: FromPath[str]) -> Response:
    try:
        filters, rows = await _export_rows(request, number, "csv")
    except Refused as refused:
        return refused.response
    from plugins.bills.exports import csv_text

    _ = gettext(request)
    body = csv_text(rows, [_(h) for h in HEADER], lambda code: _(calls.TYPES[code]) if code in calls.TYPES else code)
    return _download(body, "text/csv; charset=utf-8", f"calls-{number}-{filters.month}.csv")


@get("/{number:str}/calls.pdf", name="bills:calls.pdf")
async def calls_pdf(request: Request, number: FromPath[str]) -> Response:
    try:
        filters, rows = await _export_rows(request, number, "pdf")
    except Refused as refused:
        return refused.response
    from plugins.bills.exports import pdf_bytes

    ri = info(request)
    _ = gettext(request)
    title = _("Call records of %(number)s, %(month)s") % {"number": number, "month": filters.month}
    described = ", ".join(f"{k}={v}" for k, v in filters.audit_view().items())
    lines = [
        ri.tenant.display_name(ri.language),
        _("Filters: %(filters)s") % {"filters": described or _("none")},
        _("%(count)s records") % {"count": len(rows)},
    ]
    total = _("Total: ¥%(amount)s") % {"amount": format_fen(sum(r["charge_fen"] for r in rows))}
    body = pdf_bytes(
        rows,
        title=title,
        lines=lines,
        header=[_(h) for h in HEADER],
        type_label=lambda code: _(calls.TYPES[code]) if code in calls.TYPES else code,
        total=total,
    )
    return _download(body, "application/pdf", f"calls-{number}-{filters.month}.pdf")


HANDLERS = [calls_page, calls_csv, calls_pdf]
