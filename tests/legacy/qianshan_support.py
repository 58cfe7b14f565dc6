"""The qianshan demo BSS on each engine, and its content read back in one comparable form.

SQLite always; MariaDB when one answers (core/testing/mariadb.py, skipped with
the reason otherwise); PostgreSQL with HALL_TEST_DB=postgres, as the other
legacy-side PostgreSQL tests. The generator writes into each directly.
"""

from __future__ import annotations

import asyncio
import decimal
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.demo.qianshan import legacy_engine
from core.demo.qianshan_schema import cdr_table, metadata
from core.testing import mariadb
from core.testing.databases import create_scratch_database, drop_database, pg_url_for

ENGINES = ["sqlite", "mariadb", "postgres"]


@contextmanager
def legacy_database(engine: str, tmp_path: Path) -> Iterator[str]:
    """A target for the generator on ``engine`` (a SQLite path or a URL), dropped afterwards."""
    if engine == "sqlite":
        yield str(tmp_path / "var" / "legacy" / "qianshan.sqlite3")
    elif engine == "mariadb":
        if why := mariadb.unavailable():
            pytest.skip(f"a MariaDB legacy database: {why}")
        name = mariadb.create_database("hall_qianshan")
        try:
            yield mariadb.url_text(name)
        finally:
            mariadb.drop_database(name)
    else:
        if os.environ.get("HALL_TEST_DB") != "postgres":
            pytest.skip("a PostgreSQL legacy database needs HALL_TEST_DB=postgres")
        name = asyncio.run(create_scratch_database("hall_qianshan"))
        try:
            yield pg_url_for(name)
        finally:
            asyncio.run(drop_database(name))


def _plain(value):
    if isinstance(value, str):
        return value.rstrip()  # CHAR columns: padded on SQLite and PostgreSQL, not on MariaDB
    if isinstance(value, decimal.Decimal):
        return f"{value:.2f}"
    return value


def dump(target: str) -> dict[str, list[tuple]]:
    """Every qianshan table (upper-case name) -> its rows in key order, values in one form whatever the engine."""
    meta = metadata()
    engine = legacy_engine(target)
    try:
        with engine.connect() as conn:
            names = {n.upper() for n in sa.inspect(conn).get_table_names()}
            for name in sorted(names - set(meta.tables)):
                cdr_table(meta, name)
            out = {}
            for name in sorted(names):
                table = meta.tables[name]
                rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
                out[name] = [tuple(_plain(v) for v in row) for row in rows]
            return out
    finally:
        engine.dispose()


def query(target: str, sql: str, **params) -> list[tuple]:
    engine = legacy_engine(target)
    try:
        with engine.connect() as conn:
            return [tuple(_plain(v) for v in row) for row in conn.execute(sa.text(sql), params)]
    finally:
        engine.dispose()
