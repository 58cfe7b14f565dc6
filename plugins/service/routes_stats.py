"""Customer-service statistics: volumes, response and resolution times, breaches, satisfaction; page with charts and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

from litestar import Request, Response, get
from litestar.params import FromQuery

from core.api import N_, zone_of
from core.api.web import gettext, info, render
from core.api.workorders import GROUPS, departments, figures, operator_names
from plugins.service.settings import CATEGORIES
from plugins.service.workorder_types import COMPLAINT_CODE, CONSULTATION_CODE

STATS = {"auth": "operator", "permission": "service.stats"}
TYPES = {"complaint": COMPLAINT_CODE, "consultation": CONSULTATION_CODE}
GROUP_LABELS = {
    "type": N_("Type"),
    "category": N_("Category"),
    "department": N_("Department"),
    "assignee": N_("Operator"),
    "day": N_("Day"),
    "month": N_("Month"),
}
COLUMNS = (
    "opened",
    "responded",
    "resolved",
    "breached",
    "escalated",
    "reopened",
    "rated",
    "avg_response",
    "avg_resolution",
    "avg_rating",
    "satisfaction_rate",
)


def _zone(request: Request) -> dt.tzinfo:
    return zone_of(info(request).tenant)


def _day(text: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


async def _query(request: Request, start: str, end: str, by: str, kind: str) -> dict:
    zone = _zone(request)
    today = dt.datetime.now(zone).date()
    first, last = _day(start, today - dt.timedelta(days=29)), _day(end, today)
    if last < first:
        first, last = last, first
    by = by if by in GROUPS else "category"
    types = [TYPES[kind]] if kind in TYPES else list(TYPES.values())
    begin = dt.datetime.combine(first, dt.time(), zone)
    stop = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone)
    rows = await figures(begin, stop, by=by, types=types, tz=zone)
    return {
        "rows": rows,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "by": by,
        "kind": kind if kind in TYPES else "",
        "labels": await _labels(by),
    }


async def _labels(by: str) -> dict:
    """Group keys as people read them (ids become names; codes become translated labels)."""
    if by == "department":
        return {d["id"]: d["name"] for d in await departments()}
    if by == "assignee":
        return await operator_names()
    if by == "category":
        return dict(CATEGORIES)
    if by == "type":
        return {COMPLAINT_CODE: N_("Complaint"), CONSULTATION_CODE: N_("Consultation")}
    return {}


def cell(value) -> str:
    """A CSV cell that a spreadsheet never runs as a formula (names are data typed by people)."""
    if not isinstance(value, str):
        return "" if value is None else str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def by_code(by: str) -> bool:
    return by in ("category", "type")


@get("/console/stats", opt=STATS, name="service:console.stats")
async def stats_page(
    request: Request,
    start: FromQuery[str] = "",
    end: FromQuery[str] = "",
    by: FromQuery[str] = "category",
    kind: FromQuery[str] = "",
) -> Response:
    context = await _query(request, start, end, by, kind)
    top = max([r.opened for r in context["rows"]] or [1]) or 1
    return await render(
        request,
        "service/stats.html",
        {**context, "top": top, "groups": GROUP_LABELS, "columns": COLUMNS},
        audience="operator",
    )


@get("/console/stats.csv", opt=STATS, name="service:console.stats.csv")
async def stats_csv(
    request: Request,
    start: FromQuery[str] = "",
    end: FromQuery[str] = "",
    by: FromQuery[str] = "category",
    kind: FromQuery[str] = "",
) -> Response:
    context = await _query(request, start, end, by, kind)
    _ = gettext(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([context["by"], "label", *COLUMNS])
    for row in context["rows"]:
        label = (
            context["labels"].get(row.key, row.key) or ""
        )  # an order without a category: no label, not the catalog header
        translated = _(label) if label and by_code(context["by"]) else label  # codes have message ids; names are data
        writer.writerow([cell(row.key), cell(translated), *(cell(getattr(row, c)) for c in COLUMNS)])
    name = f"service-stats-{context['start']}-{context['end']}-{context['by']}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


HANDLERS = [stats_page, stats_csv]
