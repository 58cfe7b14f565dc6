"""What RADIUS accounted (radacct): the sessions of one month, their totals, and the seconds an account used."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .radius_db import RadiusDb

COLUMNS = (
    "radacctid, acctsessionid, acctstarttime, acctstoptime, acctupdatetime, acctsessiontime, "
    "acctinputoctets, acctoutputoctets, nasipaddress, callingstationid, calledstationid, acctterminatecause"
)


@dataclass(frozen=True)
class Session:
    id: int
    session_id: str
    start: dt.datetime | None
    stop: dt.datetime | None  # None: still online
    seconds: int
    bytes_in: int
    bytes_out: int
    nas: str
    calling: str
    called: str
    cause: str


def _session(db: RadiusDb, row: dict) -> Session:
    return Session(
        id=int(row["radacctid"]),
        session_id=row["acctsessionid"] or "",
        start=db.as_time(row["acctstarttime"]),
        stop=db.as_time(row["acctstoptime"]),
        seconds=int(row["acctsessiontime"] or 0),
        bytes_in=int(row["acctinputoctets"] or 0),
        bytes_out=int(row["acctoutputoctets"] or 0),
        nas=row["nasipaddress"] or "",
        calling=row["callingstationid"] or "",
        called=row["calledstationid"] or "",
        cause=row["acctterminatecause"] or "",
    )


async def sessions(
    db: RadiusDb, username: str, start: dt.datetime, end: dt.datetime, *, limit: int | None = None, offset: int = 0
) -> list[Session]:
    """Sessions that started in [start, end), newest first (``limit``/``offset``: one page)."""
    sql = (
        f"SELECT {COLUMNS} FROM radacct WHERE username = ? AND acctstarttime >= ? AND acctstarttime < ? "
        "ORDER BY acctstarttime DESC, radacctid DESC"
    )
    params: tuple = (username, db.when(start), db.when(end))
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += (limit, offset)
    return [_session(db, r) for r in await db.fetch(sql, *params)]


async def totals(db: RadiusDb, username: str, start: dt.datetime, end: dt.datetime) -> dict:
    rows = await db.fetch(
        "SELECT COUNT(*) AS n, COALESCE(SUM(acctsessiontime), 0) AS seconds, "
        "COALESCE(SUM(acctinputoctets), 0) AS bytes_in, COALESCE(SUM(acctoutputoctets), 0) AS bytes_out "
        "FROM radacct WHERE username = ? AND acctstarttime >= ? AND acctstarttime < ?",
        username,
        db.when(start),
        db.when(end),
    )
    row = rows[0]
    return {k: int(row[k] or 0) for k in ("n", "seconds", "bytes_in", "bytes_out")}


async def used_seconds(db: RadiusDb, username: str, since: dt.datetime | None) -> int:
    """Seconds online since ``since`` (the opening): what an hour package or prepaid money has used."""
    if since is None:
        return 0
    rows = await db.fetch(
        "SELECT COALESCE(SUM(acctsessiontime), 0) AS seconds FROM radacct WHERE username = ? AND acctstarttime >= ?",
        username,
        db.when(since - dt.timedelta(minutes=5)),  # a session accounted a moment before the hall recorded the opening
    )
    return int(rows[0]["seconds"] or 0)
