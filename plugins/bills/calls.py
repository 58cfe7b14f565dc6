"""Call-record filters (validated, with field errors), the month's query on the (tenant, number, started_at) index, masking."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from core.api import N_
from core.api.db import fetch_scoped
from core.api.legacy import CallRecord
from core.api.web import parse_int
from plugins.bills import months
from plugins.bills.tables import CallAccess

TYPES = {
    "local": N_("Local call"),
    "long_distance": N_("Long-distance call"),
    "international": N_("International call"),
    "sms": N_("Text message"),
    "data": N_("Mobile data"),
}
SORTS = {"time": CallRecord.started_at, "duration": CallRecord.duration_s, "charge": CallRecord.charge_fen}
CALLED = re.compile(r"^\d{1,20}$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COLUMNS = (
    CallRecord.started_at,
    CallRecord.duration_s,
    CallRecord.called_number,
    CallRecord.call_type,
    CallRecord.charge_fen,
)


def mask(number: str) -> str:
    """139****5678: the first three and last four digits stay; shorter numbers (10086, 95555) are shown as they are."""
    if len(number) < 8:
        return number
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


@dataclass
class Filters:
    """What the customer asked for, as typed (``data``), and what it means once valid."""

    month: str
    data: dict[str, str]
    errors: dict[str, tuple[str, dict]] = field(default_factory=dict)
    call_type: str = ""
    called: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    sort: str = "time"
    order: str = "asc"
    page: int = 1

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def narrowed(self) -> bool:
        """A filter (not just the sort) was typed, valid or not: the page says so and keeps the filter box open."""
        return any(self.data.get(name) for name in ("type", "called", "from", "to"))

    def error(self, name: str, message: str, **params) -> None:
        self.errors.setdefault(name, (message, params))

    def query_string(self, **override) -> str:
        """The filters as a query string (for pager, sort and export links)."""
        from urllib.parse import urlencode

        values = {
            "month": self.month,
            "type": self.call_type,
            "called": self.called,
            "from": self.data.get("from", ""),
            "to": self.data.get("to", ""),
            "sort": self.sort,
            "order": self.order,
            "page": str(self.page),
        }
        values.update({k: str(v) for k, v in override.items()})
        return urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == "1")})

    def audit_view(self) -> dict[str, str]:
        """The filters worth recording in the access trail."""
        return {
            k: v
            for k, v in {
                "type": self.call_type,
                "called": self.called,
                "from": self.data.get("from", ""),
                "to": self.data.get("to", ""),
                "sort": self.sort,
                "order": self.order,
            }.items()
            if v
        }


def _day(filters: Filters, name: str, zone: dt.tzinfo, first: dt.datetime, stop: dt.datetime) -> dt.datetime | None:
    text = filters.data.get(name, "").strip()
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text) if DAY.match(text) else None
    except ValueError:
        day = None
    if day is None:
        filters.error(name, N_("Write the date as YYYY-MM-DD, for example 2024-05-31."))
        return None
    moment = dt.datetime.combine(day, dt.time(), zone)
    if not first <= moment < stop:
        filters.error(name, N_("Choose a day in %(month)s."), month=filters.month)
        return None
    return moment


def parse(query: dict[str, str], allowed: list[str], zone: dt.tzinfo) -> Filters:
    """Filters from the query string; the month must be one of ``allowed`` (raises months.BadMonth otherwise)."""
    data = {k: (v or "")[:40] for k, v in query.items()}
    month = months.check(data.get("month") or allowed[0], allowed, zone)
    filters = Filters(month=month, data=data)
    first, stop = months.bounds(month, zone)
    call_type = data.get("type", "").strip()
    if call_type and call_type not in TYPES:
        filters.error("type", N_("Choose a call type from the list."))
    else:
        filters.call_type = call_type
    called = data.get("called", "").strip().replace(" ", "").replace("-", "")
    if called and not CALLED.match(called):
        filters.error("called", N_("Enter 1 to 20 digits of the number called."))
    else:
        filters.called = called
    filters.start = _day(filters, "from", zone, first, stop)
    to = _day(filters, "to", zone, first, stop)
    filters.end = to + dt.timedelta(days=1) if to else None
    if filters.start and filters.end and filters.start >= filters.end:
        filters.error("to", N_("The last day must not be before the first day."))
    filters.start = filters.start or first
    filters.end = filters.end or stop
    sort = data.get("sort", "").strip() or "time"
    order = data.get("order", "").strip() or "asc"
    if sort not in SORTS:
        filters.error("sort", N_("Choose how to sort from the list."))
    else:
        filters.sort = sort
    if order not in ("asc", "desc"):
        filters.error("sort", N_("Choose how to sort from the list."))
    else:
        filters.order = order
    page = parse_int(data.get("page", "").strip() or "1", high=100000)
    if page is None:  # "²" passes str.isdigit(), 10**30 passes int(): neither is a page
        filters.error("page", N_("The page number must be a whole number from 1."))
    else:
        filters.page = page
    return filters


def _where(number: str, filters: Filters):
    condition = (
        (CallRecord.number == number) & (CallRecord.started_at >= filters.start) & (CallRecord.started_at < filters.end)
    )
    if filters.call_type:
        condition &= CallRecord.call_type == filters.call_type
    if filters.called:
        condition &= CallRecord.called_number.like(f"%{filters.called}%")
    return condition


# The page's two reads are plain SQL through fetch_scoped (the query builder costs 0.3-0.5 ms of CPU a statement,
# as much as the indexed read itself: bench/calls.py); both are answered from the covering
# (tenant, number, started_at, ...) index (core/db/indexes.py). Only whitelisted names are written into the SQL.
_SQL_WHERE = "tenant = {tenant} AND number = {} AND started_at >= {} AND started_at < {}"
_SQL_COLUMNS = {"time": "started_at", "duration": "duration_s", "charge": "charge_fen"}


def _sql_where(number: str, filters: Filters) -> tuple[str, list]:
    sql, args = _SQL_WHERE, [number, filters.start, filters.end]
    if filters.call_type:
        sql += " AND call_type = {}"
        args.append(filters.call_type)
    if filters.called:  # digits only (CALLED): nothing to escape in the pattern
        sql += " AND called_number LIKE {}"
        args.append(f"%{filters.called}%")
    return sql, args


def summary_sql(number: str, filters: Filters) -> tuple[str, list]:
    where, args = _sql_where(number, filters)
    return (
        "SELECT COUNT(*) AS count, SUM(charge_fen) AS charge, SUM(duration_s) AS seconds"
        " FROM core_call_record WHERE " + where
    ), args


def records_sql(number: str, filters: Filters, *, limit: int, offset: int = 0) -> tuple[str, list]:
    where, args = _sql_where(number, filters)
    direction = "ASC" if filters.order == "asc" else "DESC"
    order = f"{_SQL_COLUMNS[filters.sort]} {direction}"
    if filters.sort != "time":
        order += f", started_at {direction}"
    return (
        "SELECT started_at, duration_s, called_number, call_type, charge_fen FROM core_call_record"
        f" WHERE {where} ORDER BY {order} LIMIT {{}} OFFSET {{}}"
    ), [*args, limit, offset]


async def summary(number: str, filters: Filters) -> dict:
    """How many records match, their charges and seconds (one aggregate statement)."""
    sql, args = summary_sql(number, filters)
    row = (await fetch_scoped(sql, *args))[0]
    return {"count": int(row["count"] or 0), "charge_fen": int(row["charge"] or 0), "seconds": int(row["seconds"] or 0)}


async def records(number: str, filters: Filters, *, limit: int, offset: int = 0) -> list[dict]:
    """One page (or an export's worth) of records, sorted by a whitelisted column, ties by time."""
    sql, args = records_sql(number, filters, limit=limit, offset=offset)
    rows = await fetch_scoped(sql, *args)
    for row in rows:  # SQLite hands back the stored text when a converter is not applied
        if isinstance(row["started_at"], str):
            row["started_at"] = _timestamp(row["started_at"])
    return rows


def _timestamp(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def shown(rows: list[dict], masked: bool, zone: dt.tzinfo) -> list[dict]:
    """Rows as pages and exports show them: local time, masked called number when the tenant says so."""
    return [
        {
            **r,
            "started_local": r["started_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            "called": mask(r["called_number"]) if masked else r["called_number"],
        }
        for r in rows
    ]


def duration(seconds: int) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


async def record_access(*, account_id: int, actor: str, number: str, filters: Filters, kind: str, address: str) -> None:
    """The customer's own trail of call-record reads (``kind``: view, csv, pdf), shown on the access-log page and the customer view."""
    await CallAccess.insert(access_row(account_id, actor, number, filters, kind, address))


def access_row(account_id: int, actor: str, number: str, filters: Filters, kind: str, address: str) -> CallAccess:
    """One row of the access trail (:func:`record_access`; a stored page's view: plugins.bills.trail)."""
    return CallAccess(
        account=account_id,
        actor=actor[:100],
        number=number,
        month=filters.month,
        kind=kind,
        filters=filters.audit_view(),
        address=address,
    )
