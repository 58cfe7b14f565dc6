"""Statistics building blocks: volumes, response and resolution times, deadline breaches, satisfaction.

Grouped by type, category, department, operator (assignee) or period (day,
month). The orders of the period are read once (one indexed query on
``(tenant, type, created_at)`` or the tenant's ``created_at``) and aggregated
here: that is the same on both engines, with no engine-specific date
functions, and a tenant's monthly volume is thousands of rows, not millions.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from core.localtime import DEFAULT_ZONE, zone_of
from core.workorders.tables import WorkOrder

GROUPS = ("type", "category", "department", "assignee", "day", "month")
CHINA = ZoneInfo(DEFAULT_ZONE)  # for callers without a tenant
COLUMNS = (
    WorkOrder.id,
    WorkOrder.type,
    WorkOrder.category,
    WorkOrder.department,
    WorkOrder.assignee,
    WorkOrder.created_at,
    WorkOrder.first_response_at,
    WorkOrder.resolved_at,
    WorkOrder.closed_at,
    WorkOrder.deadline_at,
    WorkOrder.escalated_at,
    WorkOrder.rating,
    WorkOrder.reopen_count,
)


@dataclass
class Figures:
    """One group's figures. Times are in minutes; ``None`` when nothing was measured."""

    key: object
    opened: int = 0
    responded: int = 0
    resolved: int = 0
    closed: int = 0
    breached: int = 0  # resolved after the deadline, or unresolved and past it at ``now``
    escalated: int = 0
    reopened: int = 0
    rated: int = 0
    satisfied: int = 0  # rating 4 or 5
    response_minutes: list[float] = field(default_factory=list, repr=False)
    resolution_minutes: list[float] = field(default_factory=list, repr=False)
    ratings: list[int] = field(default_factory=list, repr=False)

    @property
    def avg_response(self) -> float | None:
        return round(statistics.fmean(self.response_minutes), 1) if self.response_minutes else None

    @property
    def median_response(self) -> float | None:
        return round(statistics.median(self.response_minutes), 1) if self.response_minutes else None

    @property
    def avg_resolution(self) -> float | None:
        return round(statistics.fmean(self.resolution_minutes), 1) if self.resolution_minutes else None

    @property
    def avg_rating(self) -> float | None:
        return round(statistics.fmean(self.ratings), 2) if self.ratings else None

    @property
    def breach_rate(self) -> float | None:
        return round(self.breached / self.opened, 4) if self.opened else None

    @property
    def satisfaction_rate(self) -> float | None:
        return round(self.satisfied / self.rated, 4) if self.rated else None


async def orders_between(start: dt.datetime, end: dt.datetime, types: list[str] | None = None) -> list[dict]:
    """Orders of the current tenant opened in [start, end)."""
    query = WorkOrder.select(*COLUMNS).where((WorkOrder.created_at >= start) & (WorkOrder.created_at < end))
    if types:
        query = query.where(WorkOrder.type.is_in(list(types)))
    return await query


def group_key(order: dict, by: str | None, tz: dt.tzinfo = CHINA):
    if by is None:
        return "all"
    if by in ("day", "month"):
        local = order["created_at"].astimezone(tz)
        return local.strftime("%Y-%m-%d" if by == "day" else "%Y-%m")
    return order[by]


def _minutes(a: dt.datetime, b: dt.datetime) -> float:
    return (b - a).total_seconds() / 60


def aggregate(orders: list[dict], by: str | None, now: dt.datetime, tz: dt.tzinfo = CHINA) -> list[Figures]:
    """Pure aggregation (tested without a database): one Figures per group, ordered by key."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"group by one of {', '.join(GROUPS)}, not {by!r}")
    groups: dict[object, Figures] = {}
    for o in orders:
        f = groups.setdefault(group_key(o, by, tz), Figures(group_key(o, by, tz)))
        f.opened += 1
        if o["first_response_at"]:
            f.responded += 1
            f.response_minutes.append(_minutes(o["created_at"], o["first_response_at"]))
        if o["resolved_at"]:
            f.resolved += 1
            f.resolution_minutes.append(_minutes(o["created_at"], o["resolved_at"]))
        f.closed += o["closed_at"] is not None
        deadline = o["deadline_at"]
        if deadline and ((o["resolved_at"] or now) > deadline):
            f.breached += 1
        f.escalated += o["escalated_at"] is not None
        f.reopened += (o["reopen_count"] or 0) > 0
        if o["rating"] is not None:
            f.rated += 1
            f.ratings.append(o["rating"])
            f.satisfied += o["rating"] >= 4
    return sorted(groups.values(), key=lambda f: (f.key is None, str(f.key)))


async def figures(
    start: dt.datetime,
    end: dt.datetime,
    *,
    by: str | None = None,
    types: list[str] | None = None,
    now: dt.datetime | None = None,
    tz: dt.tzinfo | None = None,
) -> list[Figures]:
    """The figures of the current tenant's orders opened in [start, end), grouped ``by``.

    Days and months are those of ``tz``, by default the tenant's time zone.
    """
    from core.tenancy import require_tenant

    now = now or dt.datetime.now(dt.timezone.utc)
    zone = tz or zone_of(require_tenant())
    return aggregate(await orders_between(start, end, types), by, now, zone)
