"""TM Forum's list conventions: ``offset`` and ``limit`` (X-Total-Count, X-Result-Count), ``fields`` (a comma list of
the attributes wanted; ``id``, ``href`` and ``@type`` always come), and money as {unit, value} in yuan."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Request, Response
from litestar.params import Parameter

from core.tmf import PREFIX
from core.web.context import SCOPE_KEY

MAX_LIMIT = 100
ALWAYS = ("id", "href", "@type")

Offset = Annotated[int, Parameter(ge=0, le=1_000_000, description="Rows to skip (TMF630)", required=False)]
Limit = Annotated[
    int, Parameter(ge=1, le=MAX_LIMIT, description="Rows to return, at most 100 (TMF630)", required=False)
]
Fields = Annotated[
    str | None, Parameter(max_length=500, description="Comma-separated attributes to return (TMF630)", required=False)
]


def money(fen: int | None) -> dict:
    return {"unit": "CNY", "value": round((fen or 0) / 100, 2)}


def when(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return (
            dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc).isoformat().replace("+00:00", "Z")
        )
    return str(value)


def href(request: Request, resource: str, ident: Any) -> str:
    base = request.scope[SCOPE_KEY].base if SCOPE_KEY in request.scope else ""  # type: ignore[literal-required]
    return f"{base}{PREFIX}/{resource}/{ident}"


def pick(item: dict, fields: str | None) -> dict:
    if not fields:
        return {k: v for k, v in item.items() if v is not None}
    wanted = {f.strip() for f in fields.split(",") if f.strip()} | set(ALWAYS)
    return {k: v for k, v in item.items() if k in wanted and v is not None}


def listing(items: list[dict], total: int, fields: str | None) -> Response:
    """A page of a list, with TMF630's count headers."""
    return Response(
        content=[pick(i, fields) for i in items],
        media_type="application/json",
        status_code=200,
        headers={"X-Total-Count": str(total), "X-Result-Count": str(len(items))},
    )


def one(item: dict, fields: str | None = None, status: int = 200) -> Response:
    return Response(content=pick(item, fields), media_type="application/json", status_code=status)


def window(items: list, offset: int, limit: int) -> list:
    return items[offset : offset + limit]
