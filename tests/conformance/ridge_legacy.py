"""A legacy BSS that bills per account (合账): the "ridge" operator, hand-written for the accounts tests.

Customers (CUST) own billing accounts (ACCT, keyed by area code + account
number); service lines (SUBS) name the account paying for them; bills
(ACCT_BILL) are of a whole account, and their items (ACCT_BILL_ITEM) name the
line each charge is for. Customer C0003 has two lines on one account, C0004
two accounts (one prepaid). One bill names an account that does not exist
(``UNKNOWN_BILL``): the hall quarantines it.

Two mappings read it: ``WITH_TABLE`` maps the ACCT table, ``DERIVED`` leaves it
out and lets the hall derive the accounts from the lines' account columns.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tomllib
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from core.testing.fakes import make_id_number

SCHEMA = """
CREATE TABLE CUST (
    CUST_ID    VARCHAR(8)   PRIMARY KEY,
    CUST_NAME  VARCHAR(60)  NOT NULL,
    ID_NO      VARCHAR(18)  NOT NULL,
    PHONE      VARCHAR(20),
    UPD_EP     INTEGER      NOT NULL
);
CREATE TABLE ACCT (
    AREA_CD    CHAR(4)      NOT NULL,
    ACCT_NO    INTEGER      NOT NULL,
    CUST_ID    VARCHAR(8)   NOT NULL,
    ACCT_NAME  VARCHAR(60),
    PAY_MODE   CHAR(1)      NOT NULL,          -- H postpaid (后付费), Y prepaid (预付费)
    ACCT_STS   CHAR(1)      NOT NULL,          -- A active, S suspended, X closed
    PRIMARY KEY (AREA_CD, ACCT_NO)
);
CREATE TABLE SUBS (
    SUBS_NO    VARCHAR(20)  PRIMARY KEY,
    CUST_ID    VARCHAR(8)   NOT NULL,
    AREA_CD    CHAR(4),
    ACCT_NO    INTEGER
);
CREATE TABLE ACCT_BILL (
    BILL_ID    INTEGER      PRIMARY KEY,
    AREA_CD    CHAR(4)      NOT NULL,
    ACCT_NO    INTEGER      NOT NULL,
    CYCLE      CHAR(6)      NOT NULL,          -- YYYYMM
    AMT_FEN    INTEGER      NOT NULL,
    PAID_FEN   INTEGER      NOT NULL,
    UPD_EP     INTEGER      NOT NULL
);
CREATE TABLE ACCT_BILL_ITEM (
    BILL_ID    INTEGER      NOT NULL,
    SEQ        INTEGER      NOT NULL,
    SUBS_NO    VARCHAR(20),
    ITEM_CD    VARCHAR(8)   NOT NULL,
    ITEM_NM    VARCHAR(40)  NOT NULL,
    AMT_FEN    INTEGER      NOT NULL,
    PRIMARY KEY (BILL_ID, SEQ)
);
"""

COMMON = """
[connector]
type = "sqlbss"
url = "sqlite:///var/legacy/ridge.sqlite3"

[connector.customers]
table = "CUST"
key = "CUST_ID"
name = "CUST_NAME"
id_number = "ID_NO"
phone = "PHONE"
changed = "UPD_EP"
changed_format = "epoch"

[connector.numbers]
table = "SUBS"
number = "SUBS_NO"
customer_key = "CUST_ID"
account = ["AREA_CD", "ACCT_NO"]      # the paying account, in the order of accounts.key

[connector.bills]
table = "ACCT_BILL"
key = "BILL_ID"
account = ["AREA_CD", "ACCT_NO"]      # bills of a whole account: no number column
month = "CYCLE"
amount = "AMT_FEN"
paid = "PAID_FEN"
changed = "UPD_EP"
changed_format = "epoch"

[connector.bill_items]
table = "ACCT_BILL_ITEM"
bill_key = "BILL_ID"
code = "ITEM_CD"
name = "ITEM_NM"
amount = "AMT_FEN"
order = "SEQ"
number = "SUBS_NO"                    # the line each charge is for
"""

ACCOUNTS = """
[connector.accounts]
table = "ACCT"
key = ["AREA_CD", "ACCT_NO"]
key_separator = "/"                   # the account 0571/5001
customer_key = "CUST_ID"
name = "ACCT_NAME"
billing = "PAY_MODE"
status = "ACCT_STS"

[connector.accounts.billing_map]
H = "postpaid"
Y = "prepaid"

[connector.accounts.status_map]
A = "active"
S = "suspended"
X = "closed"
"""

WITH_TABLE = tomllib.loads(COMMON + ACCOUNTS)["connector"]
DERIVED = tomllib.loads(COMMON)["connector"]
UNKNOWN_BILL = "9099"  # the bill of account 0571/9999, which no table or line has
T0 = int(dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc).timestamp())


@dataclass
class RidgeCustomer:
    legacy_id: str
    name: str
    id_number: str
    phone: str
    numbers: list[str] = field(default_factory=list)


def create_ridge_db(path: Path, customers: int = 24) -> list[RidgeCustomer]:
    """Write the ridge legacy database at ``path``; the customers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    people: list[RidgeCustomer] = []
    accounts: dict[tuple[str, int], list[str]] = {}
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(SCHEMA)
        for n in range(1, customers + 1):
            person = RidgeCustomer(f"C{n:04d}", f"岭客户{n}", make_id_number(100 + n), f"1390000{n:04d}")
            conn.execute(
                "INSERT INTO CUST VALUES (?, ?, ?, ?, ?)",
                (person.legacy_id, person.name, person.id_number, person.phone, T0 + n),
            )
            area = ("0571", "0574")[n % 2]
            mine = [(area, 5000 + n)] + ([(area, 6000 + n)] if n == 4 else [])
            for i, (acct_area, acct_no) in enumerate(mine):
                mode = "Y" if (n, i) == (4, 1) else "H"
                conn.execute(
                    "INSERT INTO ACCT VALUES (?, ?, ?, ?, ?, ?)",
                    (acct_area, acct_no, person.legacy_id, f"{person.name}的账户{i + 1}", mode, "A"),
                )
            lines = [(person.phone, mine[0])]
            if n == 3:  # 合账: a second line on the same account
                lines.append((f"1390001{n:04d}", mine[0]))
            if n == 4:  # a line on the second, prepaid account
                lines.append((f"1390002{n:04d}", mine[1]))
            for number, (acct_area, acct_no) in lines:
                conn.execute("INSERT INTO SUBS VALUES (?, ?, ?, ?)", (number, person.legacy_id, acct_area, acct_no))
                person.numbers.append(number)
                accounts.setdefault((acct_area, acct_no), []).append(number)
            people.append(person)
        bill_id = 9000
        for (area, acct_no), numbers in sorted(accounts.items()):
            bill_id += 1
            items = [(number, "RENT", "月租费", 1800 + 100 * i) for i, number in enumerate(numbers)]
            _bill(conn, bill_id, area, acct_no, items)
        _bill(conn, int(UNKNOWN_BILL), "0571", 9999, [("13999999999", "RENT", "月租费", 500)])
    return people


def _bill(conn, bill_id: int, area: str, acct_no: int, items: list[tuple]) -> None:
    total = sum(i[3] for i in items)
    conn.execute(
        "INSERT INTO ACCT_BILL VALUES (?, ?, ?, ?, ?, ?, ?)", (bill_id, area, acct_no, "202405", total, 0, T0 + bill_id)
    )
    conn.executemany(
        "INSERT INTO ACCT_BILL_ITEM VALUES (?, ?, ?, ?, ?, ?)",
        [(bill_id, seq, number, code, name, fen) for seq, (number, code, name, fen) in enumerate(items, 1)],
    )
