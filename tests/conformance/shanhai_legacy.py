"""A legacy BSS whose values are spread out, written by hand: the "shanhai" operator, for the mapping language.

Nothing here is one column per role, as in real CRM/billing schemas:

- a customer owns accounts (``CM_ACCT``) and a line points at its account, not
  at the customer: the customer key is looked up through the account;
- a service number is an area code plus a local number (``AREA_CODE`` +
  ``LOCAL_NO``, the local number in a ``CHAR(8)``: seven-digit ones are padded);
- rows are soft-deleted (``DEL_FLAG = '1'``) and test customers are flagged
  (``CUST_TYPE = 'T'``), bill items include memo rows (``REC_TYPE = '9'``);
- a bill names its line by ``SUBS_ID`` and its month by a bill cycle
  (``BL_CYCLE``); item names are in a shared code table (``PM_CODE``, where
  the same code may exist for another ``CODE_TYPE``);
- money is in li (0.1 fen), often with half a fen;
- lines and bill items carry their own change times, sometimes later than
  their customer's or bill's;
- call records are split into a local and a roaming table (no mapping joins
  two tables: a read-only UNION query does).

docs/examples/connector-shanhai.toml maps it; ``truth()`` says, with plain SQL,
which rows the hall must see.
"""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from pathlib import Path

from stdnum.cn import ric

SCHEMA = """
CREATE TABLE CM_CUST (CUST_ID VARCHAR(10) NOT NULL PRIMARY KEY, CUST_NAME VARCHAR(40) NOT NULL,
    CERT_NO VARCHAR(18), CUST_TYPE CHAR(1) NOT NULL, DEL_FLAG CHAR(1), UPD_TIME VARCHAR(14) NOT NULL);
CREATE TABLE CM_ACCT (ACCT_ID INTEGER NOT NULL PRIMARY KEY, CUST_ID VARCHAR(10) NOT NULL);
CREATE TABLE CM_SUBS (SUBS_ID INTEGER NOT NULL PRIMARY KEY, ACCT_ID INTEGER NOT NULL, AREA_CODE VARCHAR(4) NOT NULL,
    LOCAL_NO CHAR(8) NOT NULL, SUBS_STATE CHAR(2) NOT NULL, DEL_FLAG CHAR(1) NOT NULL, STS_DATE VARCHAR(14) NOT NULL);
CREATE INDEX CM_SUBS_LOCAL ON CM_SUBS (LOCAL_NO);
CREATE INDEX CM_SUBS_ACCT ON CM_SUBS (ACCT_ID);
CREATE TABLE BL_CYCLE (CYCLE_ID INTEGER NOT NULL PRIMARY KEY, CYCLE_MONTH VARCHAR(6) NOT NULL);
CREATE TABLE BL_BILL (BILL_ID INTEGER NOT NULL PRIMARY KEY, SUBS_ID INTEGER NOT NULL, CYCLE_ID INTEGER NOT NULL,
    AMOUNT_LI INTEGER NOT NULL, PAID_LI INTEGER NOT NULL, UPD_TIME VARCHAR(14) NOT NULL);
CREATE TABLE BL_ITEM (BILL_ID INTEGER NOT NULL, SEQ INTEGER NOT NULL, ITEM_CD VARCHAR(8) NOT NULL,
    ITEM_LI INTEGER NOT NULL, REC_TYPE CHAR(1) NOT NULL, UPD_TIME VARCHAR(14) NOT NULL, PRIMARY KEY (BILL_ID, SEQ));
CREATE TABLE PM_CODE (CODE_TYPE VARCHAR(8) NOT NULL, CODE VARCHAR(8) NOT NULL, CODE_NAME VARCHAR(40) NOT NULL,
    PRIMARY KEY (CODE_TYPE, CODE));
CREATE TABLE CDR_LOCAL (CDR_ID INTEGER NOT NULL PRIMARY KEY, SUBS_ID INTEGER NOT NULL, START_TIME VARCHAR(14) NOT NULL,
    DUR INTEGER NOT NULL, CALL_TYPE CHAR(1) NOT NULL, FEE_LI INTEGER NOT NULL);
CREATE TABLE CDR_ROAM (CDR_ID INTEGER NOT NULL PRIMARY KEY, SUBS_ID INTEGER NOT NULL, START_TIME VARCHAR(14) NOT NULL,
    DUR INTEGER NOT NULL, CALL_TYPE CHAR(1) NOT NULL, FEE_LI INTEGER NOT NULL);
CREATE TABLE RS_NBR (NBR VARCHAR(20) NOT NULL PRIMARY KEY, POOL_TYPE VARCHAR(4) NOT NULL, STS CHAR(1) NOT NULL,
    PRICE_LI INTEGER NOT NULL)
"""

ITEMS = {"YZF": "月租费", "SWF": "上网流量费", "CTF": "国内长途费", "SHF": "市话费"}
OTHER_CODES = {"YZF": "预占标志"}  # the same code under another CODE_TYPE: the look-up's where keeps it apart
CYCLES = {7: "202403", 8: "202404", 9: "202405"}
AREAS = ["0571", "021", "0574", "010"]
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ["伟", "芳", "秀英", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军"]


def _id_number(rng: random.Random) -> str:
    body = f"{rng.choice(['330106', '310115', '110105'])}{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    return body + ric.calc_check_digit(body + "0")  # (the last character is a placeholder)


def _time(rng: random.Random, start: int = 20230101, end: int = 20240520) -> str:
    day = rng.randint(start, end)
    while not (1 <= day % 100 <= 28 and 1 <= day // 100 % 100 <= 12):
        day = rng.randint(start, end)
    return f"{day}{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}00"


def create_shanhai_db(path: Path, customers: int = 24, seed: int = 7) -> None:
    """The shanhai database as a SQLite file (LegacyOnEngine copies it to PostgreSQL or MariaDB)."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[tuple]] = {t: [] for t in ("CM_CUST", "CM_ACCT", "CM_SUBS", "BL_BILL", "BL_ITEM")}
    rows |= {"CDR_LOCAL": [], "CDR_ROAM": []}
    bulk = "20240301020000"  # a batch job stamps several customers with one second
    subs_id, bill_id, cdr_id = 1000, 5000, 1
    for i in range(1, customers + 1):
        cust = f"C{i:04d}"
        deleted = "1" if i % 9 == 0 else (None if i % 5 == 0 else "0")
        kind = "T" if i % 11 == 0 else "P"
        stamp = bulk if i % 4 == 0 else _time(rng)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        rows["CM_CUST"].append((cust, name, _id_number(rng), kind, deleted, stamp))
        for a in range(1 + (i % 3 == 0)):
            acct = 100 + i * 2 + a
            rows["CM_ACCT"].append((acct, cust))
            for _ in range(rng.randint(1, 2)):
                subs_id += 1
                area = AREAS[subs_id % len(AREAS)]
                local = str(rng.randint(2000000, 8999999)) if subs_id % 3 == 0 else str(rng.randint(20000000, 89999999))
                gone = "1" if subs_id % 7 == 0 else "0"
                rows["CM_SUBS"].append(
                    (subs_id, acct, area, local.ljust(8), "A " if subs_id % 5 else "S ", gone, _time(rng))
                )
                for cycle in CYCLES if gone == "0" else ():  # a deleted line's bills went with it
                    bill_id += 1
                    items = [(code, rng.randint(20, 2000) * 5) for code in rng.sample(sorted(ITEMS), rng.randint(1, 3))]
                    bill_time = f"{CYCLES[cycle]}28020000"
                    total = sum(li for _, li in items)
                    paid = total if cycle != 9 else 0
                    rows["BL_BILL"].append((bill_id, subs_id, cycle, total, paid, bill_time))
                    for seq, (code, li) in enumerate(items, 1):
                        late = f"{CYCLES[cycle]}29120000" if bill_id % 6 == 0 else bill_time
                        rows["BL_ITEM"].append((bill_id, seq, code, li, "1", late))
                    if bill_id % 4 == 0:
                        rows["BL_ITEM"].append((bill_id, 9, "YZF", 1000, "9", bill_time))  # a memo: not charged
                for _ in range(rng.randint(1, 3)):
                    cdr_id += 1
                    roaming = cdr_id % 4 == 0
                    table = "CDR_ROAM" if roaming else "CDR_LOCAL"
                    key = cdr_id + (100000 if roaming else 0)
                    rows[table].append(
                        (
                            key,
                            subs_id,
                            _time(rng, 20240401, 20240520),
                            rng.randint(1, 900),
                            "R" if roaming else "L",
                            rng.randint(0, 99) * 5,
                        )
                    )
    codes = [("ITEM", c, n) for c, n in ITEMS.items()] + [("STAT", c, n) for c, n in OTHER_CODES.items()]
    pool = [("13900000001", "SEL", "F", 100000), ("13900000002", "SEL", "T", 0), ("13900000003", "RSV", "F", 0)]
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(SCHEMA)
        for table, data in (*rows.items(), ("PM_CODE", codes), ("BL_CYCLE", list(CYCLES.items())), ("RS_NBR", pool)):
            if data:
                marks = ", ".join("?" * len(data[0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", data)


def truth(path: Path) -> dict[str, set[str]]:
    """The legacy ids the hall must see, with plain SQL: soft-deleted and test customers left out."""
    with closing(sqlite3.connect(path)) as conn:
        return {
            "customers": {
                r[0]
                for r in conn.execute(
                    "SELECT CUST_ID FROM CM_CUST WHERE (DEL_FLAG IS NULL OR DEL_FLAG <> '1') AND CUST_TYPE <> 'T'"
                )
            },
            "bills": {str(r[0]) for r in conn.execute("SELECT BILL_ID FROM BL_BILL")},
            "calls": {
                str(r[0]) for r in conn.execute("SELECT CDR_ID FROM CDR_LOCAL UNION SELECT CDR_ID FROM CDR_ROAM")
            },
        }
