"""Account balances (余额) of the demo legacy systems (core.demo.legacy_db), one per service number.

Both demo BSSs bill per number, so a number is its own account and its
balance row is keyed by the number:

- ``jiangnan``: ``ZH_YE`` (账户余额): 号码 ``HM``, 付费类型 ``FFLX`` (``H`` 后付费,
  ``Y`` 预付费), 余额 ``YE`` as yuan text (``"-58.30"``), 更新时间 ``GXSJ`` as text
  ``YYYYMMDDHHMMSS`` (local time).
- ``haibin``: ``ACC_BALANCE``: ``ACC_NBR`` a ``CHAR(20)`` blank-padded as such
  columns are, ``PAY_MODE`` (1 postpaid, 2 prepaid), ``BALANCE_FEN`` in integer
  fen, ``UPD_TS`` in epoch seconds.

A postpaid number's balance is minus what its unpaid and partly paid bills
still owe (zero when it owes nothing); a few numbers that owe nothing are
prepaid with some credit. Every figure is stamped by the nightly balance run
on the second day of the month after ``end_month``. Written after the bills,
with a generator of its own, so every other table stays exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
import sqlite3

from core.demo.era import Month, add_months, month_start
from core.money import format_fen

DDL = {
    "jiangnan": "CREATE TABLE ZH_YE (HM TEXT PRIMARY KEY, FFLX TEXT, YE TEXT, GXSJ TEXT);",
    "haibin": "CREATE TABLE ACC_BALANCE (ACC_NBR CHAR(20) NOT NULL PRIMARY KEY, PAY_MODE INTEGER, BALANCE_FEN INTEGER, UPD_TS INTEGER);",
}
PREPAID_SHARE = 0.4  # of the numbers owing nothing
OWED_SQL = {
    "jiangnan": "SELECT HM, ZJE, YJE FROM ZD_ZDXX WHERE ZT IN ('W', 'B')",
    "haibin": "SELECT ACC_NBR, AMOUNT, PAID FROM ACC_BILL WHERE PAY_STATE IN (0, 2)",
}


def _fen(value, style: str) -> int:
    if style == "haibin":
        return int(value)
    return int(decimal.Decimal(str(value)) * 100)


def owed_per_number(conn: sqlite3.Connection, style: str) -> dict[str, int]:
    """What each number's open bills still owe, in fen (no bills table: nothing is owed)."""
    has_bills = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
        ("ZD_ZDXX" if style == "jiangnan" else "ACC_BILL",),
    ).fetchone()
    owed: dict[str, int] = {}
    if has_bills:
        for number, amount, paid in conn.execute(OWED_SQL[style]):
            owed[number] = owed.get(number, 0) + max(0, _fen(amount, style) - _fen(paid or 0, style))
    return owed


def write_balances(conn: sqlite3.Connection, style: str, people: list, seed: int, end_month: Month) -> None:
    """One balance row per service line that is not closed (``people``: core.demo.legacy_db._Person)."""
    rng = random.Random(seed * 131 + 7)
    owed = owed_per_number(conn, style)
    stamp = month_start(add_months(end_month, 1)) + dt.timedelta(days=1, hours=3)
    rows = []
    for p in people:
        for ln in p.lines:
            if ln.status == "closed":
                continue
            due = owed.get(ln.number, 0)
            prepaid = due == 0 and rng.random() < PREPAID_SHARE
            balance = rng.randrange(500, 30000) if prepaid else -due
            rows.append((ln.number, prepaid, balance))
    conn.execute(DDL[style])
    if style == "jiangnan":
        conn.executemany(
            "INSERT INTO ZH_YE VALUES (?,?,?,?)",
            [(n, "Y" if pre else "H", format_fen(fen), f"{stamp:%Y%m%d%H%M%S}") for n, pre, fen in rows],
        )
    else:
        epoch = int(stamp.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())
        conn.executemany(
            "INSERT INTO ACC_BALANCE VALUES (?,?,?,?)",
            [(n.ljust(20), 2 if pre else 1, fen, epoch) for n, pre, fen in rows],
        )
