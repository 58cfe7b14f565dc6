"""Service features of the demo lines and the free-number pool (选号), for the demo legacy systems (core.demo.legacy_db).

- ``jiangnan``: lines carry 长途开通 ``CTKT`` / 国际开通 ``GJKT`` as ``Y``/``N``;
  the pool is ``ZY_XHHM`` (资源_选号号码): 号码类型 ``HMLX`` (YD/GH), 区号 ``QH``,
  靓号等级 ``LHDJ`` as letters (P ordinary, C, B, A best), 选号费 ``XHF`` and
  最低消费 ``ZDXF`` as yuan text, 状态 ``ZT`` digits (0 free, 1 reserved, 2 used).
- ``haibin``: lines carry ``LD_FLAG`` / ``IDD_FLAG`` as 1/0; the pool is
  ``RES_NBR_POOL`` with numeric type (10 fixed, 11 mobile), ``LEVEL_CD`` grade
  codes counting down (4 ordinary ... 1 best), ``PRE_FEE_FEN`` and
  ``MIN_CONSUME_FEN`` in integer fen, ``NBR_STATE`` (1 free, 2 reserved, 3 used).

Premium numbers are built on purpose (a random number is rarely AABB): about
a quarter of the pool, graded by :func:`grade_of` from the number itself, so
the grade always agrees with the digits. A generator of its own (seeded from
the demo seed) keeps the customers' data exactly as it was before the pool.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

from core.demo.era import FIXED_END_MONTH, Month, month_start
from core.money import format_fen

POOL_DDL = {
    "jiangnan": """
CREATE TABLE ZY_XHHM (HM TEXT PRIMARY KEY, HMLX TEXT, QH TEXT, LHDJ TEXT, XHF TEXT, ZDXF TEXT, ZT TEXT, RKSJ TEXT);
CREATE INDEX IX_ZY_XHHM_ZT ON ZY_XHHM (ZT, HM);
""",
    "haibin": """
CREATE TABLE RES_NBR_POOL (NBR_ID INTEGER PRIMARY KEY, ACC_NBR TEXT NOT NULL UNIQUE, NBR_TYPE INTEGER, AREA_NO TEXT,
                           LEVEL_CD INTEGER, PRE_FEE_FEN INTEGER, MIN_CONSUME_FEN INTEGER, NBR_STATE INTEGER, UPD_TS INTEGER);
CREATE INDEX IX_RES_NBR_POOL_STATE ON RES_NBR_POOL (NBR_STATE, ACC_NBR);
""",
}
JN_GRADE = ("P", "C", "B", "A")  # hall grade 0..3
HB_GRADE = (4, 3, 2, 1)
JN_POOL_KIND = {"mobile": "YD", "fixed": "GH"}
HB_POOL_KIND = {"mobile": 11, "fixed": 10}
JN_POOL_STATUS = {"free": "0", "reserved": "1", "taken": "2"}
HB_POOL_STATUS = {"free": 1, "reserved": 2, "taken": 3}
FEES = (
    (0,),
    (10000, 20000, 30000),
    (50000, 100000, 200000),
    (500000, 1000000, 2000000),
)  # selection fee in fen, by grade
MIN_SPEND = (0, 5800, 8800, 18800)  # fen per month, by grade
GRADE_WEIGHTS = (76, 12, 8, 4)
RUNS = tuple("0123456789"[i : i + 4] for i in range(7)) + tuple("9876543210"[i : i + 4] for i in range(7))


def grade_of(number: str) -> int:
    """Premium grade from the digits: 3 AAAA endings (8888), 2 AABB/ABCD runs/AAA, 1 168/518/88/66/99/ABAB, else 0."""
    tail = number[-4:]
    if len(set(tail)) == 1:
        return 3
    if (tail[0] == tail[1] and tail[2] == tail[3]) or tail in RUNS or len(set(tail[1:])) == 1:
        return 2
    if tail[-3:] in ("168", "518") or tail[-2:] in ("88", "66", "99") or (tail[0] == tail[2] and tail[1] == tail[3]):
        return 1
    return 0


def _tail(rng: random.Random, grade: int) -> str:
    d = lambda: str(rng.randrange(10))  # noqa: E731
    if grade == 3:
        return d() * 4 if rng.random() < 0.5 else rng.choice(("8888", "6666", "9999"))
    if grade == 2:
        a, b = rng.sample("0123456789", 2)
        return rng.choice((a + a + b + b, rng.choice(RUNS), d() + a * 3))
    if grade == 1:
        a, b = rng.sample("0123456789", 2)
        return rng.choice((d() + "168", d() + "518", d() + d() + rng.choice(("88", "66", "99")), a + b + a + b))
    return d() + d() + d() + d()


def line_features(rng: random.Random, kind: str) -> tuple[bool, bool]:
    """(long distance, international) enabled: most phones have long distance, a few international."""
    if kind not in ("fixed", "mobile"):
        return False, False
    long_distance = rng.random() < 0.8
    return long_distance, long_distance and rng.random() < 0.2


def pool_rows(
    style: str,
    seed: int,
    size: int,
    areas: list[str],
    mobile_prefixes: tuple[str, ...],
    taken: set[str],
    end_month: Month,
) -> list[tuple]:
    """``size`` pool numbers in the style's own row format, none of them in ``taken`` (numbers already in service).

    Stocked over about 8 months around ``end_month`` (from 5½ months before its start to 2 months after).
    """
    rng = random.Random(seed * 7919 + 17)
    shift = int((month_start(end_month) - month_start(FIXED_END_MONTH)).total_seconds())
    rows: list[tuple] = []
    seen = set(taken)
    while len(rows) < size:
        kind = "mobile" if rng.random() < 0.7 else "fixed"
        area = rng.choice(areas)
        tail = _tail(rng, rng.choices(range(4), GRADE_WEIGHTS)[0])
        middle = f"{rng.randrange(10**4):04d}" if kind == "mobile" else f"6{rng.randrange(10**3):03d}"
        number = (rng.choice(mobile_prefixes) if kind == "mobile" else area) + middle + tail
        if number in seen:
            continue
        seen.add(number)
        grade = grade_of(number)
        fee = rng.choice(FEES[grade]) * (2 if number.endswith("8888") else 1)
        status = rng.choices(("free", "reserved", "taken"), (90, 6, 4))[0]
        stocked = 1_700_000_000 + shift + rng.randrange(20_000_000)  # epoch seconds: 2023-11 .. 2024-07 for 2024-05
        rows.append((number, kind, area, grade, fee, MIN_SPEND[grade], status, stocked))
    return rows


def write_pool(conn: sqlite3.Connection, style: str, rows: list[tuple]) -> None:
    conn.executescript(POOL_DDL[style])
    if style == "jiangnan":
        cst = dt.timezone(dt.timedelta(hours=8))
        conn.executemany(
            "INSERT INTO ZY_XHHM VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    n,
                    JN_POOL_KIND[k],
                    a,
                    JN_GRADE[g],
                    format_fen(fee),
                    format_fen(spend),
                    JN_POOL_STATUS[s],
                    f"{dt.datetime.fromtimestamp(ts, cst):%Y%m%d%H%M%S}",
                )
                for n, k, a, g, fee, spend, s, ts in rows
            ],
        )
    else:
        conn.executemany(
            "INSERT INTO RES_NBR_POOL (ACC_NBR, NBR_TYPE, AREA_NO, LEVEL_CD, PRE_FEE_FEN, MIN_CONSUME_FEN, NBR_STATE, UPD_TS) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [
                (n, HB_POOL_KIND[k], a, HB_GRADE[g], fee, spend, HB_POOL_STATUS[s], ts)
                for n, k, a, g, fee, spend, s, ts in rows
            ],
        )
