"""Re-reading rows by legacy id (quarantine retries) compares key parts in the key column's own type."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa
from legacy_support import ON_POSTGRES, create_pg_database, drop_pg_database, pg_url

from plugins.sqlbss.billing_db import typed_keys


def test_key_parts_take_the_column_type():
    table = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("text_key", sa.Text),
        sa.Column("int_key", sa.Integer),
        sa.Column("num_key", sa.Numeric),
    )
    text, number, numeric = table.c.text_key, table.c.int_key, table.c.num_key
    assert typed_keys((text,), [("42",), ("0042",), ("ZD1",)]) == [("42",), ("0042",), ("ZD1",)]
    assert typed_keys((number,), [("42",), ("-7",), ("ZD1",)]) == [(42,), (-7,)]  # text can never match a number
    assert [str(k[0]) for k in typed_keys((numeric,), [("12.50",), ("x",)])] == ["12.50"]
    assert typed_keys((text, number), [("A", "1"), ("A", "B")]) == [("A", 1)]


async def test_digit_only_text_keys_on_a_postgresql_legacy_system(make_billing):
    if not ON_POSTGRES:
        pytest.skip("needs HALL_TEST_DB=postgres (a PostgreSQL legacy database)")
    import psycopg

    billing = make_billing("jiangnan", 10, months=1)
    name = await create_pg_database()
    try:
        source = sqlite3.connect(billing.path)
        month = source.execute("SELECT name FROM sqlite_master WHERE name LIKE 'HD_%' ORDER BY name DESC").fetchone()[0]
        with psycopg.connect(pg_url(name), autocommit=True) as pg:
            for table in ("ZD_ZDXX", "ZD_ZDMX", month):
                (ddl,) = source.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
                pg.execute(ddl)
                data = source.execute(f"SELECT * FROM {table}").fetchall()
                pg.cursor().executemany(f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(data[0]))})", data)
            old = pg.execute("SELECT zdbh FROM zd_zdxx ORDER BY zdbh LIMIT 1").fetchone()[0]
            pg.execute("UPDATE zd_zdmx SET zdbh = '42' WHERE zdbh = %s", (old,))
            pg.execute("UPDATE zd_zdxx SET zdbh = '42' WHERE zdbh = %s", (old,))
            lsh = pg.execute(f"SELECT lsh FROM {month} ORDER BY lsh LIMIT 1").fetchone()[0]
        source.close()
        connector = billing.connect()
        connector.mapping = connector.mapping.model_copy(update={"url": pg_url(name)})
        connector = type(connector)(connector.mapping, root=billing.root, tenant_file=billing.tenant_file)
        bills = await connector.bills_by_ids(["42", "0042", "nope"])
        assert [b.legacy_id for b in bills] == ["42"] and bills[0].items and not bills[0].problem
        calls = await connector.calls_by_ids([f"{month[3:]}-{lsh}", f"{month[3:]}-abc"])
        assert [c.legacy_id for c in calls] == [f"{month[3:]}-{lsh}"]
        await connector.close()
    finally:
        await drop_pg_database(name)
