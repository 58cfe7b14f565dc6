"""``hall check`` samples the legacy data: keys that repeat, unmapped codes, values that do not parse, bills with no line.

Each test starts from a clean demo legacy database (both styles), corrupts it
with SQL and expects the problem named by tenant file, mapping key,
``table.column`` and an example value.
"""

from __future__ import annotations

import sqlite3

import pytest

from plugins.sqlbss.check_keys import shown

NO_LINE = "19999999999"


def _columns(billing, section: str) -> dict:
    return billing.config[section]


def _commit(path, statement: str) -> None:
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(statement)
    finally:
        conn.close()


def _drop_constraints(legacy, table: str) -> None:
    """Rebuild ``table`` without its primary key, as a legacy table without one would be."""
    for statement in (
        f"CREATE TABLE {table}_COPY AS SELECT * FROM {table}",
        f"DROP TABLE {table}",
        f"ALTER TABLE {table}_COPY RENAME TO {table}",
    ):
        _commit(legacy.path, statement)


def _latest_bill(billing, offset: int = 0):
    b = _columns(billing, "bills")
    return billing.sql(f"SELECT {b['key']} FROM {b['table']} ORDER BY {b['changed']} DESC LIMIT 1 OFFSET {offset}")[0][
        0
    ]


def _set_on_bill(billing, role: str, value, bill) -> None:
    b = _columns(billing, "bills")
    billing.sql(f"UPDATE {b['table']} SET {b[role]} = ? WHERE {b['key']} = ?", value, bill)


async def _problems(billing) -> dict[str, str]:
    issues = await billing.connect().problems()
    assert all(i.file == str(billing.tenant_file) for i in issues)
    return {i.key: i.reason for i in issues}


async def test_the_clean_demo_database_has_no_problems(billing):
    assert await billing.connector.problems() == []


async def test_a_bill_key_that_repeats_is_named(billing):
    b = _columns(billing, "bills")
    _drop_constraints(billing, b["table"])
    bill = _latest_bill(billing, 3)
    billing.sql(f"INSERT INTO {b['table']} SELECT * FROM {b['table']} WHERE {b['key']} = ?", bill)
    found = await _problems(billing)
    reason = found["connector.bills.key"]
    assert f"{b['table']}.{b['key']}" in reason and f"'{bill}' occurs on 2 rows" in reason, reason


async def test_repeats_are_looked_for_at_both_ends_of_a_big_table(billing, monkeypatch):
    """Only the first and last KEY_SAMPLE rows in key order are grouped: bounded on a table of millions."""
    monkeypatch.setattr("plugins.sqlbss.check_keys.KEY_SAMPLE", 5)
    b = _columns(billing, "bills")
    _drop_constraints(billing, b["table"])
    highest = billing.sql(f"SELECT MAX({b['key']}) FROM {b['table']}")[0][0]
    billing.sql(f"INSERT INTO {b['table']} SELECT * FROM {b['table']} WHERE {b['key']} = ?", highest)
    assert f"'{highest}' occurs on 2 rows" in (await _problems(billing))["connector.bills.key"]


async def test_a_customer_key_that_repeats_is_named(billing):
    c = _columns(billing, "customers")
    _drop_constraints(billing, c["table"])
    keys = [c["key"]] if isinstance(c["key"], str) else c["key"]
    billing.sql(f"INSERT INTO {c['table']} SELECT * FROM {c['table']} LIMIT 1")
    first = billing.sql(f"SELECT {', '.join(keys)} FROM {c['table']} LIMIT 1")[0]
    reason = (await _problems(billing))["connector.customers.key"]
    assert ", ".join(f"{c['table']}.{k}" for k in keys) in reason, reason
    assert repr("-".join(str(v) for v in first)) in reason, reason


async def test_an_unknown_bill_status_is_named(billing):
    _set_on_bill(billing, "status", "Q9", _latest_bill(billing, 5))
    b = _columns(billing, "bills")
    reason = (await _problems(billing))["connector.bills.status_map"]
    assert "'Q9'" in reason and f"{b['table']}.{b['status']}" in reason, reason


async def test_money_and_time_that_do_not_parse_are_both_named(billing):
    b = _columns(billing, "bills")
    _set_on_bill(billing, "amount", "abc", _latest_bill(billing))
    _set_on_bill(billing, "month", "2024-13", _latest_bill(billing, 1))
    found = await _problems(billing)
    assert f"value 'abc' in {b['table']}.{b['amount']} does not parse" in found["connector.bills.amount_format"]
    assert f"value '2024-13' in {b['table']}.{b['month']} does not parse" in found["connector.bills.month_format"]


async def test_a_call_start_time_that_does_not_parse_is_named(billing):
    c = _columns(billing, "calls")
    table = (
        c.get("table")
        or billing.sql("SELECT name FROM sqlite_master WHERE name LIKE 'HD_%' ORDER BY name DESC LIMIT 1")[0][0]
    )
    billing.sql(
        f"UPDATE {table} SET {c['started']} = 'yesterday' WHERE {c['key']} = (SELECT MAX({c['key']}) FROM {table})"
    )
    reason = (await _problems(billing))["connector.calls.started_format"]
    assert f"value 'yesterday' in {table}.{c['started']} does not parse" in reason, reason


async def test_bills_for_a_number_with_no_line_are_counted(billing):
    b, n = _columns(billing, "bills"), _columns(billing, "numbers")
    _set_on_bill(billing, "number", NO_LINE, _latest_bill(billing, 2))
    _set_on_bill(billing, "number", NO_LINE, _latest_bill(billing, 7))
    reason = (await _problems(billing))["connector.bills.number"]
    assert reason.startswith("2 of the latest ") and f"{b['table']}.{b['number']}" in reason, reason
    assert f"{n['table']}.{n['number']}" in reason and f"e.g. '{NO_LINE}'" in reason, reason


async def test_padded_numbers_still_match_their_line(billing):
    b = _columns(billing, "bills")
    bill = _latest_bill(billing)
    number = billing.sql(f"SELECT {b['number']} FROM {b['table']} WHERE {b['key']} = ?", bill)[0][0]
    _set_on_bill(billing, "number", number + "   ", bill)
    assert "connector.bills.number" not in await _problems(billing)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("330106199001011234", "'330106********1234'"),
        ("33010619900101X", "'33010619900101X'"),
        ("JN00000001  ", "'JN00000001'"),
        (17, "'17'"),
    ],
)
def test_example_values_mask_id_numbers(value, expected):
    assert shown(value) == expected


# --- the same checks on a legacy database of each engine: typed, CHAR-padded keys without constraints ---

DDL = """
CREATE TABLE CUST (CUST_ID CHAR(10) NOT NULL, NAME VARCHAR(40), CERT CHAR(18), UPD VARCHAR(14));
CREATE TABLE SUBS (NBR CHAR(15) NOT NULL, CUST_ID VARCHAR(10) NOT NULL);
CREATE TABLE BILL (BILL_NO INTEGER NOT NULL, NBR CHAR(15), MON CHAR(6), AMT INTEGER, UPD VARCHAR(14));
CREATE TABLE CDR (CDR_ID INTEGER NOT NULL, NBR CHAR(15), START_T VARCHAR(14), DUR INTEGER, CTYPE CHAR(2), FEE INTEGER)
"""

ROWS = {
    "CUST": [
        ("C001", "张三", "11010519491231002X", "20240501080000"),
        ("C001", "张三", "11010519491231002X", "20240501090000"),
        ("C002", "李四", "310115195803121230", "20240501100000"),
    ],
    "SUBS": [("13800000001", "C001"), ("13800000002", "C002")],
    "BILL": [
        (7, "13800000001", "202404", 5280, "20240501080000"),
        (7, "13800000001", "202404", 5280, "20240501080000"),
        (8, "13800000002    ", "202404", 1000, "20240502080000"),  # CHAR-padded, as on PostgreSQL
        (9, "19900000000", "202404", 1000, "20240503080000"),
    ],
    "CDR": [(5, "13800000001", "20240410093000", 65, "L", 20), (5, "13800000001", "20240410093000", 65, "L", 20)],
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
[bills]
table = "BILL"
key = "BILL_NO"
number = "NBR"
month = "MON"
amount = "AMT"
changed = "UPD"
changed_format = "text:%Y%m%d%H%M%S"
[calls]
table = "CDR"
key = "CDR_ID"
number = "NBR"
duration = "DUR"
started = "START_T"
started_format = "text:%Y%m%d%H%M%S"
call_type = "CTYPE"
call_type_map = { L = "local" }
charge = "FEE"
"""


@pytest.fixture(params=["sqlite", "postgres"])
def typed_legacy(request, tmp_path):
    """A connector onto the small legacy database above, on SQLite or (with HALL_TEST_DB=postgres) PostgreSQL."""
    import asyncio
    import tomllib

    import sqlalchemy as sa
    from legacy_support import ON_POSTGRES, create_pg_database, drop_pg_database, pg_url

    from plugins.sqlbss.compose import connector_class
    from plugins.sqlbss.mapping import parse_mapping

    drop = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'legacy.sqlite3'}"
        driver_url = url
    else:
        if not ON_POSTGRES:
            pytest.skip("a PostgreSQL legacy database needs HALL_TEST_DB=postgres")
        name = asyncio.run(create_pg_database())
        url, drop = pg_url(name), lambda: asyncio.run(drop_pg_database(name))
        driver_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(driver_url)
    with engine.begin() as conn:
        for statement in DDL.split(";"):
            conn.execute(sa.text(statement))
        for table, rows in ROWS.items():
            marks = ", ".join(f":v{i}" for i in range(len(rows[0])))
            conn.execute(
                sa.text(f"INSERT INTO {table} VALUES ({marks})"), [{f"v{i}": v for i, v in enumerate(r)} for r in rows]
            )
    engine.dispose()
    file = tmp_path / "tenant.toml"
    mapping = parse_mapping({**tomllib.loads(MAPPING), "url": url}, file)
    connector = connector_class(mapping)(mapping, root=tmp_path, tenant_file=file)
    yield connector, str(file)
    asyncio.run(connector.close())
    if drop:
        drop()


async def test_typed_keys_and_padded_numbers_on_each_engine(typed_legacy):
    connector, file = typed_legacy
    issues = await connector.problems()
    assert all(i.file == file for i in issues)
    found = {i.key: i.reason.casefold() for i in issues}  # PostgreSQL reports the names folded to lower case
    assert set(found) == {
        "connector.customers.key",
        "connector.bills.key",
        "connector.bills.number",
        "connector.calls.key",
    }, found
    assert "'c001' occurs on 2 rows of cust.cust_id" in found["connector.customers.key"]
    assert "'7' occurs on 2 rows of bill.bill_no" in found["connector.bills.key"]
    assert (
        found["connector.bills.number"]
        == "1 of the latest 4 rows of bill.nbr name no line in subs.nbr, e.g. '19900000000'"
    )
    assert "'5' occurs on 2 rows of cdr.cdr_id" in found["connector.calls.key"]


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
async def test_a_tariff_code_or_pool_number_that_repeats_is_named(tmp_path, style):
    from lines_pool_support import LinesLegacy

    legacy = await LinesLegacy(tmp_path, style, "sqlite", subscribers=10, pool=50).start()
    try:
        t, p = legacy.config["lines"]["tariffs"], legacy.config["number_pool"]
        for table in (t["table"], p["table"]):
            _drop_constraints(legacy, table)
            _commit(legacy.path, f"INSERT INTO {table} SELECT * FROM {table} LIMIT 1")
        tariff = legacy.sql(f"SELECT {t['code']} FROM {t['table']} LIMIT 1")[0][0]
        number = legacy.sql(f"SELECT {p['number']} FROM {p['table']} LIMIT 1")[0][0]
        found = {i.key: i.reason for i in await legacy.connect().problems()}
        assert f"'{tariff}' occurs on 2 rows of {t['table']}.{t['code']}" in found["connector.lines.tariffs.code"]
        assert f"'{number}' occurs on 2 rows of {p['table']}.{p['number']}" in found["connector.number_pool.number"]
    finally:
        await legacy.close()
