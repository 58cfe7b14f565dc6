"""Live look-ups find CHAR-padded legacy values, on SQLite, PostgreSQL and MariaDB.

Real BSSs keep numbers and keys in CHAR(n) columns, so the values carry
trailing blanks (Oracle and DB2 store them padded; a dump into SQLite keeps the
blanks; a migration into VARCHAR keeps them too). The hall knows the values
stripped, as the sync reads them: "13800000001", "C001". Each engine treats the
blanks differently (PostgreSQL ignores them for CHAR only, MariaDB's PAD SPACE
collations always, SQLite never), so the same rows are tried on all three.
"""

from __future__ import annotations

import asyncio
import json
import tomllib

import pytest
import sqlalchemy as sa
from legacy_support import ON_POSTGRES, create_pg_database, drop_pg_database, pg_url

from core.testing import mariadb
from plugins.sqlbss.compose import connector_class
from plugins.sqlbss.mapping import parse_mapping

DDL = """
CREATE TABLE CUST (CUST_ID CHAR(10) NOT NULL PRIMARY KEY, NAME VARCHAR(40), CERT CHAR(20), UPD VARCHAR(14));
CREATE TABLE SUBS (NBR CHAR(15) NOT NULL PRIMARY KEY, CUST_ID VARCHAR(10) NOT NULL, STS CHAR(2));
CREATE TABLE BILL (BILL_NO CHAR(12) NOT NULL PRIMARY KEY, NBR CHAR(15), MON CHAR(6), AMT INTEGER, UPD VARCHAR(14));
CREATE TABLE BILL_ITEM (BILL_NO VARCHAR(12) NOT NULL, SEQ INTEGER NOT NULL, CODE CHAR(4), NAME VARCHAR(20), AMT INTEGER);
CREATE TABLE CDR (CDR_ID CHAR(10) NOT NULL PRIMARY KEY, NBR CHAR(15), OPP VARCHAR(20), START_T VARCHAR(14), DUR INTEGER, CTYPE CHAR(2), FEE INTEGER);
CREATE TABLE INBOX (EVENT_ID CHAR(40) NOT NULL UNIQUE, KIND VARCHAR(64), BODY VARCHAR(2000));
CREATE TABLE POOL (NBR VARCHAR(20) NOT NULL PRIMARY KEY, STS CHAR(2))
"""

PADDED_EVENT = "3f1c2a4e-0000-4000-8000-000000000001"

# Values as a CHAR(n) system stores them: blank-padded to the column's length. Two rows are padded
# otherwise (not to the declared length): only the TRIM(col) = value fallback finds those.
ROWS = {
    "CUST": [
        ("C001      ", "张三", "11010519491231002X  ", "20240501080000"),
        ("C002      ", "李四", "310115580312123     ", "20240501090000"),
    ],
    "SUBS": [("13800000001    ", "C001      ", "A "), ("13800000002  ", "C002      ", "A ")],
    "BILL": [("B001        ", "13800000001    ", "202404", 5280, "20240501080000")],
    "BILL_ITEM": [("B001        ", 1, "YZF ", "月租", 5280)],
    "CDR": [("R001      ", "13800000001    ", "02112345678", "20240410093000", 65, "L ", 20)],
    "INBOX": [(PADDED_EVENT.ljust(40), "payment.posted", "{}")],
    "POOL": [("13900000003   ", "F ")],
}

MAPPING = """
type = "sqlbss"
url = "set below"
[customers]
table = "CUST"
key = "CUST_ID"
name = "NAME"
id_number = "CERT"
changed = "UPD"
changed_format = "text:%Y%m%d%H%M%S"
[numbers]
table = "SUBS"
number = "NBR"
customer_key = "CUST_ID"
status = "STS"
status_map = { A = "active" }
[lines]
[bills]
table = "BILL"
key = "BILL_NO"
number = "NBR"
month = "MON"
amount = "AMT"
changed = "UPD"
changed_format = "text:%Y%m%d%H%M%S"
[bill_items]
table = "BILL_ITEM"
bill_key = "BILL_NO"
code = "CODE"
name = "NAME"
amount = "AMT"
order = "SEQ"
[calls]
table = "CDR"
key = "CDR_ID"
number = "NBR"
called = "OPP"
duration = "DUR"
started = "START_T"
started_format = "text:%Y%m%d%H%M%S"
call_type = "CTYPE"
call_type_map = { L = "local" }
charge = "FEE"
[writeback]
table = "INBOX"
event_id = "EVENT_ID"
kind = "KIND"
payload = "BODY"
[number_pool]
table = "POOL"
number = "NBR"
status = "STS"
status_map = { F = "free" }
"""

ENGINES = ["sqlite", "postgres", "mariadb"]


def _load(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in DDL.split(";"):
            conn.execute(sa.text(statement))
        for table, rows in ROWS.items():
            marks = ", ".join(f":v{i}" for i in range(len(rows[0])))
            conn.execute(
                sa.text(f"INSERT INTO {table} VALUES ({marks})"), [{f"v{i}": v for i, v in enumerate(r)} for r in rows]
            )
    engine.dispose()


@pytest.fixture(params=ENGINES)
def padded(request, tmp_path):
    """A connector onto the padded legacy database on one engine; the database is dropped afterwards."""
    engine, drop = request.param, None
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'legacy.sqlite3'}"
        _load(url)
    elif engine == "postgres":
        if not ON_POSTGRES:
            pytest.skip("a PostgreSQL legacy database needs HALL_TEST_DB=postgres")
        name = asyncio.run(create_pg_database())
        url, drop = pg_url(name), lambda: asyncio.run(drop_pg_database(name))
        _load(url.replace("postgresql://", "postgresql+psycopg://", 1))
    else:
        if why := mariadb.unavailable():
            pytest.skip(f"a MariaDB legacy database: {why}")
        name = mariadb.create_database()
        url, drop = mariadb.url_text(name), lambda: mariadb.drop_database(name)
        _load(url)
    config = {**tomllib.loads(MAPPING), "url": url}
    mapping = parse_mapping(config, tmp_path / "tenant.toml")
    connector = connector_class(mapping)(mapping, root=tmp_path, tenant_file=tmp_path / "tenant.toml")
    yield engine, connector, url
    asyncio.run(connector.close())
    if drop:
        drop()


def test_customer_of_a_padded_number_is_found_live(padded):
    _, connector, _ = padded
    customer = asyncio.run(connector.customer_by_number("13800000001"))
    assert customer is not None and customer.legacy_id == "C001" and customer.id_number == "11010519491231002X"
    assert [n.number for n in customer.numbers] == ["13800000001"]
    other = asyncio.run(connector.customer_by_number(" 13800000002 "))  # padded otherwise: found by the TRIM fallback
    assert other is not None and other.legacy_id == "C002" and [n.number for n in other.numbers] == ["13800000002"]
    assert asyncio.run(connector.customer_by_number("1380000000")) is None


def test_sync_pages_carry_their_padded_lines(padded):
    _, connector, _ = padded
    batch = asyncio.run(connector.customers_changed_since("", 10))
    assert {c.legacy_id: [n.number for n in c.numbers] for c in batch.customers} == {
        "C001": ["13800000001"],
        "C002": ["13800000002"],
    }
    assert [c.legacy_id for c in asyncio.run(connector.customers_by_ids(["C002", "C001", "C404"]))] == ["C002", "C001"]


def test_lines_and_pool_numbers_padded(padded):
    _, connector, _ = padded
    line = asyncio.run(connector.line_by_number("13800000001"))
    assert line is not None and (line.number, line.customer_id) == ("13800000001", "C001")
    assert [x.number for x in asyncio.run(connector.lines_of_customer("C002"))] == ["13800000002"]
    free = asyncio.run(connector.number_status("13900000003"))
    assert free is not None and free.number == "13900000003" and free.status == "free"


def test_bills_and_calls_by_id_padded(padded):
    _, connector, _ = padded
    (bill,) = asyncio.run(connector.bills_by_ids(["B001", "B404"]))
    assert (bill.legacy_id, bill.number, bill.amount_fen) == ("B001", "13800000001", 5280)
    assert [(i.code, i.amount_fen) for i in bill.items] == [("YZF", 5280)]
    (call,) = asyncio.run(connector.calls_by_ids(["R001"]))
    assert (call.legacy_id, call.number, call.duration_s) == ("R001", "13800000001", 65)


def test_an_event_id_padded_in_the_inbox_is_not_written_twice(padded):
    _, connector, url = padded
    asyncio.run(connector.write_event(PADDED_EVENT, "payment.posted", {"fen": 100}))
    asyncio.run(connector.write_event("3f1c2a4e-0000-4000-8000-000000000002", "payment.posted", {"fen": 200}))
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT EVENT_ID, BODY FROM INBOX ORDER BY EVENT_ID")).all()
    engine.dispose()
    assert [(r[0].strip(), json.loads(r[1])) for r in rows] == [
        (PADDED_EVENT, {}),
        ("3f1c2a4e-0000-4000-8000-000000000002", {"fen": 200}),
    ]


def test_the_padded_database_checks_clean(padded):
    """`hall check`'s samples (unique keys, bills' lines, codes, formats) read padded values as the sync does."""
    _, connector, _ = padded
    assert asyncio.run(connector.problems()) == []
