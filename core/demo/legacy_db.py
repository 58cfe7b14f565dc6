"""A stand-in for an operator's old billing system (BSS), for demos, tests and benchmarks.

``generate_legacy_db`` writes a fresh SQLite file in the legacy system's own
schema - not the hall's - so the ``sqlbss`` connector has something real to
map. Two styles prove that mapping is configuration, not code:

- ``jiangnan``: pinyin-abbreviation tables (``KH_KHXX`` customers, ``YW_HMXX``
  service lines, ``ZF_ZFXX`` tariffs), one text customer number, status
  letters, change times as text ``YYYYMMDDHHMMSS`` (local time).
  The hall's outbox events arrive in ``JK_HXSJ`` (接口回写事件: 事件编号 SJBH,
  事件类型 SJLX, 事件内容 SJNR, 接收时间 JSSJ as text, 处理状态 CLZT).
- ``haibin``: English-ish tables (``CRM_CUST``, ``CRM_SUBS``, ``PM_TARIFF``), a
  customer key split into area code + sequence, numeric status and product
  codes, change times as epoch seconds, names blank-padded like CHAR columns,
  some ID numbers with a lower-case ``x``. Outbox events arrive in
  ``INTF_HALL_INBOX`` (``EVENT_ID`` unique, ``RECV_TS`` in epoch seconds).

Each style also has a free-number pool (选号) and long-distance/international
flags on its lines, in its own names and formats (core.demo.numbers), and a
balance per number (core.demo.balances).

The people are style-neutral (:class:`_Person`); a style only decides the
region and how rows are written. Data comes from Faker('zh_CN') and one
``random.Random`` with the same seed, so a seed and an ``end_month`` (the last
billed month, core.demo.era) always give the same file (no "now" anywhere).
The whole timeline - sign-up dates, change times, the pool's stocking times,
the bills - moves with ``end_month``: customers' change times run to the end
of the month after it (the extract's watermarks; nothing customers see). Many customers share one change time (a bulk migration
stamp) on purpose: that is what breaks naive watermarks. Faker's ``ssn()`` is
unusable (wrong check digit for most numbers, birth dates relative to today),
so ID numbers get a GB 11643 check digit here and pass ``stdnum.cn.ric``.
Faker is only used to fill small pools (it costs ~100 µs a call); rows are
drawn from the pools and written with ``executemany``, so 100k subscribers
take seconds.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from faker import Faker
from stdnum.cn import ric

from core.demo.balances import write_balances
from core.demo.era import FIXED_END_MONTH, Month, add_months, month_start
from core.demo.numbers import line_features, pool_rows, write_pool

__all__ = ["DemoCustomer", "STYLES", "generate_legacy_db", "update_some"]

CST = dt.timezone(dt.timedelta(hours=8))  # China has had no DST since 1991: a fixed offset is exact
MIGRATION = dt.datetime(2008, 1, 1, 0, 0, 0)  # the day the data was moved into this BSS
FALLBACK_COUNTIES = ("110108", "310109", "340121", "350121", "360121", "430221", "210521", "513425")  # valid 1935-2008


@dataclass(frozen=True)
class DemoCustomer:
    """A generated customer, returned so ``hall demo`` can print sign-up credentials."""

    legacy_id: str
    name: str
    id_number: str
    numbers: list[str]
    email: str
    phone: str


@dataclass(frozen=True)
class _Region:
    province: str
    cities: tuple[tuple[str, str, tuple[str, ...]], ...]  # (area code, city, districts)
    counties: tuple[str, ...]  # ID-number region codes of local births


STYLES: dict[str, _Region] = {
    "jiangnan": _Region(
        "浙江省",
        (
            ("0571", "杭州市", ("上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区")),
            ("0573", "嘉兴市", ("南湖区", "秀洲区", "海宁市", "桐乡市")),
            ("0572", "湖州市", ("吴兴区", "南浔区", "德清县", "长兴县")),
        ),
        (
            "330102",
            "330105",
            "330106",
            "330108",
            "330122",
            "330127",
            "330402",
            "330411",
            "330421",
            "330481",
            "330501",
            "330521",
            "330522",
            "330120",
            "330121",
            "330123",
            "330124",
            "330125",
            "330126",
        ),
    ),
    "haibin": _Region(
        "山东省",
        (
            ("0532", "青岛市", ("市南区", "市北区", "黄岛区", "崂山区", "城阳区")),
            ("0535", "烟台市", ("芝罘区", "福山区", "莱山区", "蓬莱区")),
            ("0631", "威海市", ("环翠区", "文登区", "荣成市", "乳山市")),
        ),
        (
            "370202",
            "370203",
            "370211",
            "370212",
            "370281",
            "370283",
            "370602",
            "370611",
            "370681",
            "370682",
            "371002",
            "371081",
            "371082",
            "370220",
            "370221",
            "370222",
            "370223",
            "370224",
        ),
    ),
}
MOBILE_PREFIXES = ("133", "135", "136", "138", "139", "150", "153", "158", "180", "186", "189", "199")
STATUSES = ("active", "suspended", "closed")


@dataclass
class _Line:
    number: str
    kind: str  # fixed | mobile | broadband | dialup
    status: str
    tariff: int
    opened: dt.datetime


@dataclass
class _Person:
    seq: int
    area: str
    area_seq: int
    name: str
    id_number: str
    phone: str
    email: str
    address: str
    status: str
    created: dt.datetime
    changed: dt.datetime
    lines: list[_Line] = field(default_factory=list)


# -- ID numbers -----------------------------------------------------------------
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def _check_digit(first17: str) -> str:
    total = sum(map(int.__mul__, map(int, first17), _WEIGHTS))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@cache
def _county_ok(county: str, year: int) -> bool:
    """stdnum also checks the county existed in the birth year; that only depends on (county, year)."""
    sample = f"{county}{year}0101001"
    try:
        return ric.is_valid(sample + _check_digit(sample))
    except Exception:  # stdnum raises KeyError for some region codes
        return False


def _id_number(rng: random.Random, counties: tuple[str, ...], taken: set[str]) -> str:
    while True:
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(66 * 365))
        pool = counties if rng.random() < 0.8 else FALLBACK_COUNTIES
        for _ in range(12):  # most districts date from 1983: older births need an older county
            county = rng.choice(pool)
            if _county_ok(county, birth.year):
                break
        else:
            county = next(c for c in FALLBACK_COUNTIES if _county_ok(c, birth.year))
        first17 = f"{county}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        number = first17 + _check_digit(first17)
        if number not in taken:
            taken.add(number)
            return number


# -- people -----------------------------------------------------------------------
def _pools(fake: Faker, size: int) -> dict[str, list[str]]:
    return {
        "surname": [fake.last_name() for _ in range(min(size, 400))],
        "given": [fake.first_name() for _ in range(min(size, 600))],
        "street": [fake.street_name() for _ in range(min(size, 300))],
        "user": [fake.user_name() for _ in range(min(size, 500))],
        "domain": ["qq.com", "163.com", "126.com", "sina.com", "139.com", "foxmail.com", "yeah.net"],
    }


def _when(rng: random.Random, created: dt.datetime, horizon: dt.datetime) -> dt.datetime:
    if created < MIGRATION and rng.random() < 0.6:
        return MIGRATION  # migrated rows nobody touched since share one change time
    after = max(MIGRATION, created)
    span = (horizon - after).total_seconds()
    moment = after + dt.timedelta(seconds=rng.randrange(max(int(span), 1)))
    return moment.replace(second=0) if rng.random() < 0.5 else moment  # minute precision collides too


def _timeline(end_month: Month) -> tuple[dt.datetime, dt.datetime]:
    """(first sign-up day, latest change time), both moving with the anchor month by month.

    Sign-ups span 28 years and end a few months before the anchor; change times run to the last day of the
    month after it. FIXED_END_MONTH gives 1996-01-01 and 2024-06-30, the dates from before there was an anchor.
    """
    first = month_start(add_months((1996, 1), _months_between(FIXED_END_MONTH, end_month)))
    return first, month_start(add_months(end_month, 2)) - dt.timedelta(days=1)


def _months_between(earlier: Month, later: Month) -> int:
    return (later[0] - earlier[0]) * 12 + later[1] - earlier[1]


def _people(region: _Region, count: int, seed: int, sample: int, end_month: Month) -> list[_Person]:
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    pools = _pools(fake, count)
    ids: set[str] = set()
    fixed = iter(rng.sample(range(10**7), count * 2))
    mobiles = iter(rng.sample(range(len(MOBILE_PREFIXES) * 10**8), count * 3))
    area_seq: dict[str, int] = {}
    first_day, horizon = _timeline(end_month)
    people: list[_Person] = []
    line_no = 0
    for seq in range(1, count + 1):
        area, city, districts = rng.choice(region.cities)
        area_seq[area] = area_seq.get(area, 0) + 1
        demo = seq <= sample  # the first few can always sign up: active, e-mail, a phone line
        status = "active" if demo else rng.choices(STATUSES, (88, 7, 5))[0]
        created = first_day + dt.timedelta(days=rng.randrange(28 * 365))
        nlines = (3, 2)[seq - 1] if seq <= 2 else rng.choices((1, 2, 3), (65, 25, 10))[0]
        lines: list[_Line] = []
        for i in range(nlines):
            line_no += 1
            kind = rng.choice(("fixed", "mobile")) if i == 0 else rng.choice(("mobile", "broadband", "dialup", "fixed"))
            if kind == "fixed":
                number = f"{area}8{next(fixed):07d}"
            elif kind == "mobile":
                m = next(mobiles)
                number = f"{MOBILE_PREFIXES[m // 10**8]}{m % 10**8:08d}"
            elif kind == "broadband":
                number = f"AD{area}{line_no:07d}"
            else:
                number = f"163{area[1:]}{line_no:07d}"
            line_status = (
                "closed"
                if status == "closed"
                else ("suspended" if status == "suspended" and rng.random() < 0.5 else "active")
            )
            lines.append(
                _Line(number, kind, line_status, rng.randrange(1, 4), created + dt.timedelta(days=rng.randrange(365)))
            )
        mobile = next((ln.number for ln in lines if ln.kind == "mobile"), None)
        if mobile is None:
            m = next(mobiles)
            mobile = f"{MOBILE_PREFIXES[m // 10**8]}{m % 10**8:08d}"
        email = f"{rng.choice(pools['user'])}{seq}@{rng.choice(pools['domain'])}" if demo or rng.random() < 0.85 else ""
        address = (
            f"{region.province}{city}{rng.choice(districts)}{rng.choice(pools['street'])}"
            f"{rng.randrange(1, 300)}号{rng.randrange(1, 30)}幢{rng.randrange(1, 30)}0{rng.randrange(1, 5)}室"
        )
        name = rng.choice(pools["surname"]) + rng.choice(pools["given"])
        people.append(
            _Person(
                seq,
                area,
                area_seq[area],
                name,
                _id_number(rng, region.counties, ids),
                mobile,
                email,
                address,
                status,
                created,
                _when(rng, created, horizon),
                lines,
            )
        )
    return people


# -- writing, per style -------------------------------------------------------------
_DDL = {
    "jiangnan": """
CREATE TABLE ZF_ZFXX (ZFBH TEXT PRIMARY KEY, ZFMC TEXT NOT NULL, YWLX TEXT, YZF INTEGER);
CREATE TABLE KH_KHXX (KHBH TEXT PRIMARY KEY, KHMC TEXT, ZJLX TEXT, ZJHM TEXT, LXDH TEXT, DZYJ TEXT,
                      ZZ TEXT, ZT TEXT, KHRQ TEXT, XGSJ TEXT);
CREATE INDEX IX_KH_KHXX_XGSJ ON KH_KHXX (XGSJ, KHBH);
CREATE TABLE YW_HMXX (HM TEXT PRIMARY KEY, KHBH TEXT NOT NULL, LX TEXT, ZFBH TEXT, ZT TEXT, KTRQ TEXT, CTKT TEXT, GJKT TEXT);
CREATE INDEX IX_YW_HMXX_KHBH ON YW_HMXX (KHBH);
CREATE TABLE JK_HXSJ (SJBH TEXT PRIMARY KEY, SJLX TEXT NOT NULL, SJNR TEXT, JSSJ TEXT, CLZT TEXT DEFAULT '0');
""",
    "haibin": """
CREATE TABLE PM_TARIFF (TARIFF_ID INTEGER PRIMARY KEY, TARIFF_NAME TEXT, PROD_TYPE INTEGER, MONTH_FEE_FEN INTEGER);
CREATE TABLE CRM_CUST (AREA_NO TEXT NOT NULL, CUST_SEQ INTEGER NOT NULL, CUST_NAME TEXT, CERT_TYPE INTEGER,
                       CERT_NO TEXT, CONTACT_TEL TEXT, EMAIL_ADDR TEXT, POST_ADDR TEXT, STATE INTEGER,
                       CREATE_TS INTEGER, UPD_TS INTEGER, PRIMARY KEY (AREA_NO, CUST_SEQ));
CREATE INDEX IX_CRM_CUST_UPD ON CRM_CUST (UPD_TS, AREA_NO, CUST_SEQ);
CREATE TABLE CRM_SUBS (SUBS_ID INTEGER PRIMARY KEY, ACC_NBR TEXT NOT NULL UNIQUE, AREA_NO TEXT, CUST_SEQ INTEGER,
                       PROD_TYPE INTEGER, TARIFF_ID INTEGER, SUBS_STATE INTEGER, OPEN_TS INTEGER,
                       LD_FLAG INTEGER, IDD_FLAG INTEGER);
CREATE INDEX IX_CRM_SUBS_CUST ON CRM_SUBS (AREA_NO, CUST_SEQ);
CREATE TABLE INTF_HALL_INBOX (SEQ_ID INTEGER PRIMARY KEY, EVENT_ID VARCHAR(36) NOT NULL UNIQUE, EVENT_TYPE VARCHAR(64) NOT NULL,
                              EVENT_BODY TEXT, RECV_TS INTEGER, PROC_STATE INTEGER DEFAULT 0);
""",
}
_TARIFFS = [  # (kind, name, monthly fee in fen)
    ("fixed", "普通电话基本套餐", 2500),
    ("fixed", "亲情电话套餐", 1800),
    ("fixed", "商务电话套餐", 4800),
    ("mobile", "畅聊套餐58元", 5800),
    ("mobile", "畅聊套餐88元", 8800),
    ("mobile", "学生卡", 1900),
    ("broadband", "宽带2M包月", 12000),
    ("broadband", "宽带4M包月", 16000),
    ("broadband", "宽带8M包年", 138000),
    ("dialup", "163拨号计时", 0),
    ("dialup", "163拨号包月", 5000),
    ("dialup", "163拨号包年", 50000),
]
_JN_STATUS = {"active": "A", "suspended": "S", "closed": "X"}
_JN_LINE_STATUS = {"active": "A", "suspended": "T", "closed": "X"}
_JN_KIND = {"fixed": "GH", "mobile": "YD", "broadband": "KD", "dialup": "BH"}
_HB_STATUS = {"active": 1, "suspended": 2, "closed": 9}
_HB_LINE_STATUS = {"active": 0, "suspended": 1, "closed": 9}
_HB_KIND = {"fixed": 10, "mobile": 11, "broadband": 20, "dialup": 30}


_TARIFF_INDEX = {
    (kind, n): i for kind in _JN_KIND for n, i in enumerate((i for i, t in enumerate(_TARIFFS) if t[0] == kind), 1)
}


def _tariff_index(kind: str, n: int) -> int:
    return _TARIFF_INDEX[kind, n]


def _epoch(moment: dt.datetime) -> int:
    return int(moment.replace(tzinfo=CST).timestamp())


def _legacy_id(style: str, p: _Person) -> str:
    return f"JN{p.seq:08d}" if style == "jiangnan" else f"{p.area}-{p.area_seq}"


def _write(conn: sqlite3.Connection, style: str, people: list[_Person], seed: int) -> None:
    conn.executescript(_DDL[style])
    rng = random.Random(seed * 31 + 5)  # its own generator: the people stay as they were before lines had features
    features = {ln.number: line_features(rng, ln.kind) for p in people for ln in p.lines}
    if style == "jiangnan":
        conn.executemany(
            "INSERT INTO ZF_ZFXX VALUES (?,?,?,?)",
            [(f"ZF{i + 1:03d}", name, _JN_KIND[kind], fee) for i, (kind, name, fee) in enumerate(_TARIFFS)],
        )
        conn.executemany(
            "INSERT INTO KH_KHXX VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    _legacy_id(style, p),
                    p.name,
                    "01",
                    p.id_number,
                    p.phone,
                    p.email or None,
                    p.address,
                    _JN_STATUS[p.status],
                    f"{p.created:%Y%m%d}",
                    f"{p.changed:%Y%m%d%H%M%S}",
                )
                for p in people
            ],
        )
        conn.executemany(
            "INSERT INTO YW_HMXX VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    ln.number,
                    _legacy_id(style, p),
                    _JN_KIND[ln.kind],
                    f"ZF{_tariff_index(ln.kind, ln.tariff) + 1:03d}",
                    _JN_LINE_STATUS[ln.status],
                    f"{ln.opened:%Y%m%d}",
                    *("Y" if on else "N" for on in features[ln.number]),
                )
                for p in people
                for ln in p.lines
            ],
        )
    else:
        conn.executemany(
            "INSERT INTO PM_TARIFF VALUES (?,?,?,?)",
            [(9000 + i, name, _HB_KIND[kind], fee) for i, (kind, name, fee) in enumerate(_TARIFFS)],
        )
        conn.executemany(
            "INSERT INTO CRM_CUST VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    p.area,
                    p.area_seq,
                    p.name.ljust(10),
                    1,
                    p.id_number.lower() if p.seq % 2 else p.id_number,
                    p.phone,
                    p.email,
                    p.address,
                    _HB_STATUS[p.status],
                    _epoch(p.created),
                    _epoch(p.changed),
                )
                for p in people
            ],
        )
        conn.executemany(
            "INSERT INTO CRM_SUBS (ACC_NBR, AREA_NO, CUST_SEQ, PROD_TYPE, TARIFF_ID, SUBS_STATE, OPEN_TS, "
            "LD_FLAG, IDD_FLAG) VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    ln.number,
                    p.area,
                    p.area_seq,
                    _HB_KIND[ln.kind],
                    9000 + _tariff_index(ln.kind, ln.tariff),
                    _HB_LINE_STATUS[ln.status],
                    _epoch(ln.opened),
                    *map(int, features[ln.number]),
                )
                for p in people
                for ln in p.lines
            ],
        )


def generate_legacy_db(
    path: Path,
    *,
    end_month: Month,
    seed: int = 1,
    subscribers: int = 200,
    style: str = "jiangnan",
    sample: int = 5,
    months: int = 0,
    pool: int | None = None,
) -> list[DemoCustomer]:
    """Write a fresh legacy database at ``path`` (overwriting it); return the first ``sample`` customers.

    ``end_month`` (year, month) is the last billed month and anchors every date
    (core.demo.era): the CLI passes last month, tests a fixed month.

    The first ``sample`` customers are active, have an e-mail address and at
    least one phone line, so a demo can sign up with any of them. ``months``
    adds that many months of bills and call records (core.demo.billing).
    ``pool`` numbers (default a quarter of ``subscribers``, at least 200) go into
    the free-number pool; lines carry long-distance and international flags
    (core.demo.numbers). Every line that is not closed has a balance (core.demo.balances).
    """
    if style not in STYLES:
        raise ValueError(f"unknown demo style {style!r} (have: {', '.join(STYLES)})")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    people = _people(STYLES[style], subscribers, seed, sample, end_month)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        with conn:
            _write(conn, style, people, seed)
            areas = [area for area, _, _ in STYLES[style].cities]
            taken = {ln.number for p in people for ln in p.lines}
            write_pool(
                conn,
                style,
                pool_rows(
                    style,
                    seed,
                    max(200, subscribers // 4) if pool is None else pool,
                    areas,
                    MOBILE_PREFIXES,
                    taken,
                    end_month,
                ),
            )
            if months:  # bills with items and call records (core/demo/billing.py)
                from core.demo.billing import write_billing

                write_billing(
                    conn, style, people, lambda kind, n: _TARIFFS[_tariff_index(kind, n)][2], months, seed, end_month
                )
            write_balances(conn, style, people, seed, end_month)  # per number, from the bills (core/demo/balances.py)
    finally:
        conn.close()
    return [
        DemoCustomer(_legacy_id(style, p), p.name, p.id_number, [ln.number for ln in p.lines], p.email, p.phone)
        for p in people[:sample]
    ]


def update_some(path: Path, style: str, count: int, seed: int = 2) -> list[str]:
    """Change ``count`` customers the way clerks do, stamping a change time later than any existing one.

    Each gets a new address; every second one a new e-mail; every third one
    has a service line suspended (lines carry no change time of their own: the
    customer's is bumped). Returns the changed customers' legacy ids (as the
    connector spells them). Deterministic for a given seed.
    """
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    try:
        with conn:
            if style == "jiangnan":
                keys = [r[0] for r in conn.execute("SELECT KHBH FROM KH_KHXX ORDER BY KHBH")]
                latest = dt.datetime.strptime(
                    conn.execute("SELECT MAX(XGSJ) FROM KH_KHXX").fetchone()[0], "%Y%m%d%H%M%S"
                )
            else:
                keys = [
                    (a, s) for a, s in conn.execute("SELECT AREA_NO, CUST_SEQ FROM CRM_CUST ORDER BY AREA_NO, CUST_SEQ")
                ]
                latest = dt.datetime.fromtimestamp(
                    conn.execute("SELECT MAX(UPD_TS) FROM CRM_CUST").fetchone()[0], CST
                ).replace(tzinfo=None)
            chosen = rng.sample(keys, min(count, len(keys)))
            for i, key in enumerate(chosen):
                when = latest + dt.timedelta(seconds=1 + i // 3)  # a few share a second, like a clerk's batch
                address = f"变更地址{rng.randrange(1, 999)}号{rng.randrange(1, 30)}室"
                email = f"changed{rng.randrange(10**6)}@163.com"
                if style == "jiangnan":
                    conn.execute(
                        "UPDATE KH_KHXX SET ZZ = ?, XGSJ = ? WHERE KHBH = ?", (address, f"{when:%Y%m%d%H%M%S}", key)
                    )
                    if i % 2 == 0:
                        conn.execute("UPDATE KH_KHXX SET DZYJ = ? WHERE KHBH = ?", (email, key))
                    if i % 3 == 0:
                        conn.execute(
                            "UPDATE YW_HMXX SET ZT = 'T' WHERE HM = (SELECT MIN(HM) FROM YW_HMXX WHERE KHBH = ?)",
                            (key,),
                        )
                else:
                    conn.execute(
                        "UPDATE CRM_CUST SET POST_ADDR = ?, UPD_TS = ? WHERE AREA_NO = ? AND CUST_SEQ = ?",
                        (address, _epoch(when), *key),
                    )
                    if i % 2 == 0:
                        conn.execute(
                            "UPDATE CRM_CUST SET EMAIL_ADDR = ? WHERE AREA_NO = ? AND CUST_SEQ = ?", (email, *key)
                        )
                    if i % 3 == 0:
                        conn.execute(
                            "UPDATE CRM_SUBS SET SUBS_STATE = 1 WHERE ACC_NBR = (SELECT MIN(ACC_NBR) FROM CRM_SUBS "
                            "WHERE AREA_NO = ? AND CUST_SEQ = ?)",
                            key,
                        )
    finally:
        conn.close()
    return [k if style == "jiangnan" else f"{k[0]}-{k[1]}" for k in chosen]
