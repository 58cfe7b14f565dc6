"""A legacy BSS the hall has never seen, written by hand (not core.demo.legacy_db): the "lakeside" operator.

Its names are English abbreviations (CUST_MST, SVC_LINE, BILL_HDR/BILL_DTL,
one CDR_yyyymm table per month), a customer is identified by region code plus
a number, bills are in jiao, calls in fen, every time is epoch seconds except
the billing period ("05/2024"), statuses are digits or letters, and call
records have no change time - only an increasing sequence. The mapping that
makes it a hall tenant is docs/examples/connector-lakeside.toml, nothing else.

Like any real BSS it has two bad rows: the last customer's ID number has a
wrong check digit (the sync rejects that customer), and the last call record
is a refund with a negative charge (quarantined). ``DIRTY`` names them.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker
from stdnum.cn import ric

SCHEMA = """
CREATE TABLE CUST_MST (
    REGION_CD  CHAR(4)      NOT NULL,          -- e.g. 0571
    CUST_NO    INTEGER      NOT NULL,          -- numbered per region
    CUST_NM    VARCHAR(60)  NOT NULL,
    CERT_ID    VARCHAR(18),
    TEL_NO     VARCHAR(20),
    MAIL_ADDR  VARCHAR(80),
    ADDR_TXT   VARCHAR(200),
    CUST_STS   CHAR(1)      NOT NULL,          -- N normal, H on hold, C cancelled
    LAST_UPD   INTEGER      NOT NULL,          -- epoch seconds
    PRIMARY KEY (REGION_CD, CUST_NO)
);
CREATE INDEX CUST_MST_UPD ON CUST_MST (LAST_UPD, REGION_CD, CUST_NO);
CREATE TABLE SVC_LINE (
    SVC_NO     VARCHAR(20)  PRIMARY KEY,
    REGION_CD  CHAR(4)      NOT NULL,
    CUST_NO    INTEGER      NOT NULL,
    SVC_TYP    CHAR(2)      NOT NULL,          -- MB mobile, FX fixed line, BB broadband, DU dial-up account
    LINE_STS   INTEGER      NOT NULL           -- 0 in service, 1 barred, 2 ceased
);
CREATE TABLE BILL_HDR (
    BILL_SEQ   INTEGER      PRIMARY KEY,
    SVC_NO     VARCHAR(20)  NOT NULL,
    BILL_PRD   CHAR(7)      NOT NULL,          -- MM/YYYY
    TOT_JIAO   INTEGER      NOT NULL,          -- amount due, in jiao (0.1 yuan)
    PAID_JIAO  INTEGER      NOT NULL,
    PAY_STS    CHAR(1)      NOT NULL,          -- U unpaid, P part paid, F fully paid
    DUE_EPOCH  INTEGER,
    UPD_EPOCH  INTEGER      NOT NULL
);
CREATE TABLE BILL_DTL (
    BILL_SEQ   INTEGER      NOT NULL,
    LINE_NO    INTEGER      NOT NULL,
    CHRG_CD    VARCHAR(8)   NOT NULL,
    CHRG_DESC  VARCHAR(60)  NOT NULL,
    CHRG_JIAO  INTEGER      NOT NULL,
    PRIMARY KEY (BILL_SEQ, LINE_NO)
);
CREATE TABLE HALL_EVT_IN (
    EVT_ID     VARCHAR(36)  PRIMARY KEY,
    EVT_TYP    VARCHAR(40)  NOT NULL,
    EVT_JSON   TEXT         NOT NULL,
    RCV_EPOCH  INTEGER
);
"""

CDR = """
CREATE TABLE CDR_{yyyymm} (
    CDR_SEQ    INTEGER      PRIMARY KEY,       -- only increases: the sync's watermark
    A_NBR      VARCHAR(20)  NOT NULL,
    B_NBR      VARCHAR(24),
    START_EP   INTEGER      NOT NULL,          -- epoch seconds
    DUR_SEC    INTEGER      NOT NULL,
    CALL_CLS   CHAR(1)      NOT NULL,          -- L local, T toll, I international, R roaming, S sms, D data
    CHRG_FEN   INTEGER      NOT NULL
)
"""

MONTHS = ((2024, 4), (2024, 5))
CHARGES = (("RENT", "月租费", 580), ("VOICE", "语音通话费", 0), ("DATA", "上网流量费", 0))
CLASSES = "LTIRSD"
REFUND_SEQ = 9_999_999
DIRTY = {"customers": {"0574/1007"}, "calls": {f"202405-{REFUND_SEQ}"}}  # the legacy ids of the two bad rows


@dataclass
class LakesideCustomer:
    legacy_id: str  # as the hall will call it: "<region>/<number>"
    name: str
    id_number: str
    phone: str
    numbers: list[str] = field(default_factory=list)
    status: str = "N"


def _id_number(fake: Faker) -> str:
    """Faker's ID numbers, kept only when stdnum accepts them (its regions must have existed at the birth date)."""
    while True:
        body = fake.ssn()[:17]
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number):
            return number


def _epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def create_lakeside_db(path: Path, customers: int = 14, seed: int = 7) -> list[LakesideCustomer]:
    """Write the lakeside legacy database at ``path``; the customers, the first ones active with a mobile line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fake, rnd = Faker("zh_CN"), random.Random(seed)
    fake.seed_instance(seed)
    shanghai = dt.timezone(dt.timedelta(hours=8))
    imported = _epoch(dt.datetime(2024, 3, 31, 23, 0, tzinfo=shanghai))  # a bulk import stamped everyone at once
    people: list[LakesideCustomer] = []
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(SCHEMA)
        for n in range(customers):
            region, number = ("0571", "0574")[n % 2], 1001 + n // 2
            person = LakesideCustomer(
                f"{region}/{number}",
                fake.name(),
                _id_number(fake),
                f"13{rnd.randrange(10**9):09d}",
                status="N" if n < 10 else rnd.choice("HC"),
            )
            updated = imported if n % 3 else imported + rnd.randrange(1, 86400 * 30)
            conn.execute(
                "INSERT INTO CUST_MST VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    region,
                    number,
                    person.name,
                    person.id_number,
                    person.phone,
                    fake.email() if n % 4 else None,
                    fake.address(),
                    person.status,
                    updated,
                ),
            )
            lines = (
                [(person.phone, "MB")]
                + ([(f"{region}{rnd.randrange(10**7, 10**8)}", "FX")] if n % 3 == 0 else [])
                + ([(f"ad{region}{number}", "BB")] if n % 5 == 0 else [])
            )
            for svc_no, kind in lines:
                conn.execute(
                    "INSERT INTO SVC_LINE VALUES (?, ?, ?, ?, ?)",
                    (svc_no, region, number, kind, 0 if person.status == "N" else 1 if person.status == "H" else 2),
                )
                person.numbers.append(svc_no)
            people.append(person)
        typo = person.id_number[:-1] + ("1" if person.id_number[-1] != "1" else "2")  # a clerk's typo
        conn.execute("UPDATE CUST_MST SET CERT_ID = ? WHERE REGION_CD = ? AND CUST_NO = ?", (typo, region, number))
        _bills(conn, people, rnd, shanghai)
        _calls(conn, people, rnd, shanghai)
    return people


def _bills(conn: sqlite3.Connection, people: list[LakesideCustomer], rnd: random.Random, tz: dt.tzinfo) -> None:
    seq = 880000
    for year, month in MONTHS:
        issued = dt.datetime(year, month, 1, 2, 0, tzinfo=tz) + dt.timedelta(days=31)
        for person in people:
            for svc_no in person.numbers:
                seq += 1
                items = [(code, name, base or rnd.randrange(0, 900)) for code, name, base in CHARGES]
                total = sum(jiao for _, _, jiao in items)
                state = rnd.choice("UPF")
                paid = {"U": 0, "P": total // 2, "F": total}[state]
                conn.execute(
                    "INSERT INTO BILL_HDR VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        seq,
                        svc_no,
                        f"{month:02d}/{year}",
                        total,
                        paid,
                        state,
                        _epoch(issued + dt.timedelta(days=20)),
                        _epoch(issued) + rnd.randrange(0, 3),
                    ),
                )
                conn.executemany(
                    "INSERT INTO BILL_DTL VALUES (?, ?, ?, ?, ?)",
                    [(seq, i, code, name, jiao) for i, (code, name, jiao) in enumerate(items, 1)],
                )


def _calls(conn: sqlite3.Connection, people: list[LakesideCustomer], rnd: random.Random, tz: dt.tzinfo) -> None:
    seq = 5_000_000
    for year, month in MONTHS:
        table = f"{year}{month:02d}"
        conn.execute(CDR.format(yyyymm=table))
        start = dt.datetime(year, month, 1, tzinfo=tz)
        for _ in range(60):
            person = rnd.choice(people)
            seq += rnd.randrange(1, 4)  # gaps, as sequences have
            cls = rnd.choice(CLASSES)
            conn.execute(
                f"INSERT INTO CDR_{table} VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    seq,
                    person.numbers[0],
                    f"1{rnd.randrange(10**10):010d}",
                    _epoch(start + dt.timedelta(minutes=rnd.randrange(40000))),
                    0 if cls in "SD" else rnd.randrange(1, 3600),
                    cls,
                    rnd.randrange(0, 500),
                ),
            )
    conn.execute(
        f"INSERT INTO CDR_{table} VALUES (?, ?, ?, ?, ?, ?, ?)",  # a refund booked as a call: -5 yuan
        (REFUND_SEQ, people[0].numbers[0], "", _epoch(start + dt.timedelta(days=20)), 0, "L", -500),
    )
