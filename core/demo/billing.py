"""Monthly bills with line items, and call-detail records, for the demo legacy systems (core.demo.legacy_db).

- ``jiangnan``: bills ``ZD_ZDXX`` (amounts as yuan text ``"58.30"``, month text
  ``202404``, status letters W/B/Y), items ``ZD_ZDMX``, and one call table per
  month ``HD_YYYYMM`` keyed by an increasing serial ``LSH`` (no change time),
  start times as text ``YYYYMMDDHHMMSS``, charges in integer fen, call types as
  digits.
- ``haibin``: bills ``ACC_BILL`` (integer fen, month as the integer 202404,
  numeric pay state, epoch times), items ``ACC_BILL_ITEM``, and a single call
  table ``BIL_CDR`` with an epoch change time, ISO-like text start times,
  charges as a REAL number of yuan and call types as letters (LOC, DDD, IDD, ...).

Bill items are the sums of the month's call charges by type plus the tariff's
monthly fee, so bills and call records agree. The months end with ``end_month``
(core.demo.era), whose bills are mostly still unpaid (due on the 15th of the
month after it); older months are mostly paid. Deterministic for a seed and an
``end_month``; rows are built in lists and written with ``executemany``.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

from core.demo.era import Month, add_months
from core.money import format_fen

CALL_TYPES = ("local", "long_distance", "international", "sms", "data")
ITEM_NAMES = {
    "fee": ("YZF", "月租费"),
    "local": ("SHF", "市话费"),
    "long_distance": ("CTF", "国内长途费"),
    "international": ("GJF", "国际长途费"),
    "sms": ("DXF", "短信费"),
    "data": ("SWF", "上网流量费"),
}
JN_TYPE = {"local": "1", "long_distance": "2", "international": "3", "sms": "4", "data": "5"}
HB_TYPE = {"local": "LOC", "long_distance": "DDD", "international": "IDD", "sms": "SMS", "data": "GPRS"}
JN_BILL_STATUS = {"unpaid": "W", "partial": "B", "paid": "Y"}
HB_BILL_STATUS = {"unpaid": 0, "paid": 1, "partial": 2}
AREAS = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0571", "0532", "0755")
COUNTRIES = ("1", "44", "81", "82", "65", "61", "49", "33", "852", "853", "886")
DDL = {
    "jiangnan": """
CREATE TABLE ZD_ZDXX (ZDBH TEXT PRIMARY KEY, HM TEXT NOT NULL, ZQ TEXT, ZJE TEXT, YJE TEXT, ZT TEXT, JFRQ TEXT, XGSJ TEXT);
CREATE INDEX IX_ZD_ZDXX_XGSJ ON ZD_ZDXX (XGSJ, ZDBH);
CREATE TABLE ZD_ZDMX (ZDBH TEXT NOT NULL, XH INTEGER NOT NULL, XMBM TEXT, XMMC TEXT, JE TEXT, PRIMARY KEY (ZDBH, XH));
""",
    "haibin": """
CREATE TABLE ACC_BILL (BILL_ID INTEGER PRIMARY KEY, ACC_NBR TEXT NOT NULL, BILL_MONTH INTEGER, AMOUNT INTEGER, PAID INTEGER,
                       PAY_STATE INTEGER, DUE_TS INTEGER, UPD_TS INTEGER);
CREATE INDEX IX_ACC_BILL_UPD ON ACC_BILL (UPD_TS, BILL_ID);
CREATE TABLE ACC_BILL_ITEM (BILL_ID INTEGER NOT NULL, ITEM_SEQ INTEGER NOT NULL, ITEM_CODE TEXT, ITEM_NAME TEXT, AMOUNT INTEGER,
                            PRIMARY KEY (BILL_ID, ITEM_SEQ));
CREATE TABLE BIL_CDR (CDR_ID INTEGER PRIMARY KEY, ACC_NBR TEXT NOT NULL, OPP_NBR TEXT, START_TIME TEXT, DURATION INTEGER,
                      CALL_TYPE TEXT, FEE_YUAN REAL, UPD_TS INTEGER);
CREATE INDEX IX_BIL_CDR_UPD ON BIL_CDR (UPD_TS, CDR_ID);
""",
}
JN_CDR_DDL = (
    "CREATE TABLE HD_{m} (LSH INTEGER PRIMARY KEY, JFHM TEXT NOT NULL, DFHM TEXT, KSSJ TEXT, SC INTEGER, "
    "THLX TEXT, FY INTEGER)"
)


def billing_months(months: int, end_month: Month) -> list[Month]:
    """The ``months`` billed months, oldest first, ending with ``end_month``."""
    return [add_months(end_month, -back) for back in range(months - 1, -1, -1)]


def _epoch(moment: dt.datetime) -> int:
    return int(moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())


def _next_month(year: int, month: int) -> dt.datetime:
    return dt.datetime(year + 1, 1, 1) if month == 12 else dt.datetime(year, month + 1, 1)


def _call(rng: random.Random, line_kind: str, area: str) -> tuple[str, str, int, int]:
    """(type, called number, duration s, charge fen)."""
    roll = rng.random()
    mobile = line_kind == "mobile"
    if mobile and roll < 0.10:
        return "sms", f"1{rng.choice('3589')}{rng.randrange(10**9):09d}", 0, 10
    if mobile and roll < 0.16:
        seconds = rng.randrange(60, 3600)
        return "data", "cmnet", seconds, rng.randrange(10, 300)
    seconds = int(rng.expovariate(1 / 150)) + 1
    minutes = (seconds + 59) // 60
    if roll < 0.70:
        called = f"{area}8{rng.randrange(10**7):07d}" if rng.random() < 0.6 else f"13{rng.randrange(10**9):09d}"
        return "local", called, seconds, minutes * (15 if mobile else 10)
    if roll < 0.96:
        return (
            "long_distance",
            f"{rng.choice([a for a in AREAS if a != area])}{rng.randrange(10**7, 10**8)}",
            seconds,
            minutes * 30,
        )
    return "international", f"00{rng.choice(COUNTRIES)}{rng.randrange(10**7, 10**9)}", seconds, minutes * 240


def write_billing(
    conn: sqlite3.Connection, style: str, people: list, fee_of, months: int, seed: int, end_month: Month
) -> None:
    """Write ``months`` months of bills, items and call records, ending with ``end_month``, for ``people`` (core.demo.legacy_db._Person).

    ``fee_of(kind, tariff)`` is a line's monthly fee in fen.
    """
    rng = random.Random(seed * 7919 + 17)
    conn.executescript(DDL[style])
    bills, items, calls = [], [], {}
    serial = 0
    for year, month in billing_months(months, end_month):
        start, end = dt.datetime(year, month, 1), _next_month(year, month)
        span = int((end - start).total_seconds())
        tag = f"{year}{month:02d}"
        month_calls = calls.setdefault(tag, [])
        run = end + dt.timedelta(hours=2)  # the month's bill run stamps every new bill with one time
        for p in people:
            for ln in p.lines:
                if ln.status == "closed" or ln.opened >= end:
                    continue
                sums = {"fee": fee_of(ln.kind, ln.tariff)}
                if ln.kind in ("fixed", "mobile"):
                    for _ in range(rng.randrange(0, 15)):
                        kind, called, seconds, fee = _call(rng, ln.kind, p.area)
                        serial += 1
                        month_calls.append(
                            (
                                serial,
                                ln.number,
                                called,
                                start + dt.timedelta(seconds=rng.randrange(span)),
                                seconds,
                                kind,
                                fee,
                            )
                        )
                        sums[kind] = sums.get(kind, 0) + fee
                amount = sum(sums.values())
                last = (year, month) == end_month
                status = rng.choices(("paid", "unpaid", "partial"), (15, 80, 5) if last else (92, 5, 3))[0]
                if p.status == "suspended":
                    status = "unpaid"
                paid = amount if status == "paid" else (amount // 2 if status == "partial" else 0)
                changed = run if status == "unpaid" else run + dt.timedelta(seconds=rng.randrange(20 * 86400))
                bill_no = len(bills) + 1
                bills.append(
                    (bill_no, ln.number, year * 100 + month, amount, paid, status, end + dt.timedelta(days=14), changed)
                )
                items += [
                    (bill_no, n, *ITEM_NAMES[k], fee) for n, (k, fee) in enumerate(sums.items(), 1) if fee or k == "fee"
                ]
    if style == "jiangnan":
        yuan = format_fen
        conn.executemany(
            "INSERT INTO ZD_ZDXX VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    f"ZD{m}{n:07d}",
                    num,
                    str(m),
                    yuan(a),
                    yuan(pd),
                    JN_BILL_STATUS[st],
                    f"{due:%Y%m%d}",
                    f"{ch:%Y%m%d%H%M%S}",
                )
                for n, num, m, a, pd, st, due, ch in bills
            ],
        )
        month_of = {b[0]: b[2] for b in bills}
        conn.executemany(
            "INSERT INTO ZD_ZDMX VALUES (?,?,?,?,?)",
            [(f"ZD{month_of[b]}{b:07d}", n, c, name, yuan(fee)) for b, n, c, name, fee in items],
        )
        for tag, rows in calls.items():
            conn.execute(JN_CDR_DDL.format(m=tag))
            conn.executemany(
                f"INSERT INTO HD_{tag} VALUES (?,?,?,?,?,?,?)",
                [
                    (s, num, called, f"{t:%Y%m%d%H%M%S}", sec, JN_TYPE[k], fee)
                    for s, num, called, t, sec, k, fee in rows
                ],
            )
    else:
        conn.executemany(
            "INSERT INTO ACC_BILL VALUES (?,?,?,?,?,?,?,?)",
            [
                (n, num, m, a, pd, HB_BILL_STATUS[st], _epoch(due), _epoch(ch))
                for n, num, m, a, pd, st, due, ch in bills
            ],
        )
        conn.executemany("INSERT INTO ACC_BILL_ITEM VALUES (?,?,?,?,?)", items)
        conn.executemany(
            "INSERT INTO BIL_CDR VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    s,
                    num,
                    called,
                    f"{t:%Y-%m-%d %H:%M:%S}",
                    sec,
                    HB_TYPE[k],
                    round(fee / 100, 2),
                    _epoch(t + dt.timedelta(hours=1)),
                )
                for rows in calls.values()
                for s, num, called, t, sec, k, fee in rows
            ],
        )


def pay_some_bills(path, style: str, count: int) -> list[str]:
    """Mark the ``count`` oldest unpaid bills paid with a change time later than any (the bills' legacy ids)."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            if style == "jiangnan":
                latest = dt.datetime.strptime(
                    conn.execute("SELECT MAX(XGSJ) FROM ZD_ZDXX").fetchone()[0], "%Y%m%d%H%M%S"
                )
                ids = [
                    r[0]
                    for r in conn.execute("SELECT ZDBH FROM ZD_ZDXX WHERE ZT = 'W' ORDER BY ZDBH LIMIT ?", (count,))
                ]
                for i, bill in enumerate(ids):
                    conn.execute(
                        "UPDATE ZD_ZDXX SET YJE = ZJE, ZT = 'Y', XGSJ = ? WHERE ZDBH = ?",
                        (f"{latest + dt.timedelta(seconds=1 + i // 2):%Y%m%d%H%M%S}", bill),
                    )
                return ids
            latest = conn.execute("SELECT MAX(UPD_TS) FROM ACC_BILL").fetchone()[0]
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT BILL_ID FROM ACC_BILL WHERE PAY_STATE = 0 ORDER BY BILL_ID LIMIT ?", (count,)
                )
            ]
            for i, bill in enumerate(ids):
                conn.execute(
                    "UPDATE ACC_BILL SET PAID = AMOUNT, PAY_STATE = 1, UPD_TS = ? WHERE BILL_ID = ?",
                    (latest + 1 + i // 2, bill),
                )
            return [str(i) for i in ids]
    finally:
        conn.close()


def _last_second(month: Month) -> dt.datetime:
    return _next_month(*month) - dt.timedelta(seconds=1)


def add_calls(path, style: str, count: int) -> list[str]:
    """Append ``count`` new call records at the last second of the newest month (its own table for jiangnan); their legacy ids."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            if style == "jiangnan":
                table = conn.execute(
                    "SELECT MAX(name) FROM sqlite_master WHERE type = 'table' AND name LIKE 'HD_%'"
                ).fetchone()[0]
                top = conn.execute(f"SELECT MAX(LSH) FROM {table}").fetchone()[0]
                when = f"{_last_second((int(table[3:7]), int(table[7:9]))):%Y%m%d%H%M%S}"
                conn.executemany(
                    f"INSERT INTO {table} VALUES (?,?,?,?,?,?,?)",
                    [(top + i, "057180000001", "057180000002", when, 60, "1", 10) for i in range(1, count + 1)],
                )
                return [f"{table[3:]}-{top + i}" for i in range(1, count + 1)]
            top, latest, newest = conn.execute(
                "SELECT MAX(CDR_ID), MAX(UPD_TS), MAX(START_TIME) FROM BIL_CDR"
            ).fetchone()
            when = f"{_last_second((int(newest[:4]), int(newest[5:7]))):%Y-%m-%d %H:%M:%S}"
            conn.executemany(
                "INSERT INTO BIL_CDR VALUES (?,?,?,?,?,?,?,?)",
                [
                    (top + i, "053280000001", "053280000002", when, 60, "LOC", 0.1, latest + 1)
                    for i in range(1, count + 1)
                ],
            )
            return [str(top + i) for i in range(1, count + 1)]
    finally:
        conn.close()
