"""Scratch MariaDB/MySQL databases for legacy-connector tests, and a copy of a SQLite legacy database into one.

The server is ``HALL_TEST_MARIADB_URL`` (default ``mysql+pymysql://root@127.0.0.1:3306/``,
root without a password as ``scripts/ensure-mariadb`` sets it up). Tests that
need it skip with the reason when it does not answer or PyMySQL is missing.

The copy reflects the SQLite tables and recreates them with MariaDB's types:
SQLite's untyped TEXT becomes ``VARCHAR(255)`` where a key or an index needs a
length and ``TEXT`` elsewhere, date-times keep microseconds (``DATETIME(6)``),
and the database is ``utf8mb4`` so Chinese names round-trip.
"""

from __future__ import annotations

import os
import secrets
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa

DEFAULT_MARIADB = "mysql+pymysql://root@127.0.0.1:3306/"


def server_url(database: str = "") -> sa.URL:
    url = sa.make_url(os.environ.get("HALL_TEST_MARIADB_URL", DEFAULT_MARIADB))
    return url.set(database=database or None, query={"charset": "utf8mb4"})


def url_text(database: str) -> str:
    """The connector URL of ``database`` (password shown: it is the local test server)."""
    return server_url(database).render_as_string(hide_password=False)


def _connect(database: str = ""):
    import pymysql

    url = server_url(database)
    return pymysql.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=database or None,
        charset="utf8mb4",
        connect_timeout=3,
        autocommit=True,
    )


def unavailable() -> str | None:
    """Why no MariaDB test can run here, or None when one answers."""
    try:
        import pymysql  # noqa: F401
    except ImportError:
        return "PyMySQL is not installed (pip install 'hall[mysql]')"
    try:
        with closing(_connect()) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1")
    except Exception as exc:  # refused, access denied, timeout: all mean "no usable server"
        return f"no MariaDB answers at {server_url().render_as_string()} ({exc}); run scripts/ensure-mariadb"
    return None


def execute(sql: str, database: str = "", *args) -> list[tuple]:
    with closing(_connect(database)) as conn, conn.cursor() as cur:
        cur.execute(sql, args or None)
        return list(cur.fetchall())


def create_database(prefix: str = "hall_legacy") -> str:
    name = f"{prefix}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{secrets.token_hex(4)}"
    execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
    return name


def drop_database(name: str) -> None:
    execute(f"DROP DATABASE IF EXISTS `{name}`")


def _indexed(table: sa.Table) -> set[str]:
    names = {c.name for c in table.primary_key.columns}
    for index in table.indexes:
        names |= {c.name for c in index.columns}
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            names |= {c.name for c in constraint.columns}
    return names


def _mariadb_type(column: sa.Column, indexed: bool):
    from sqlalchemy.dialects import mysql

    kind = column.type
    if isinstance(kind, sa.DateTime):
        return mysql.DATETIME(fsp=6)
    if isinstance(kind, sa.String):
        if kind.length:
            return kind
        return sa.String(255) if indexed else sa.Text()
    if isinstance(kind, (sa.Integer, sa.Numeric, sa.Date)):
        return kind
    return sa.String(255) if indexed else sa.Text()  # SQLite columns without a declared type


def copy_sqlite(path: Path, database: str) -> None:
    """Every table of the SQLite file ``path`` (schema and rows) into the MariaDB ``database``."""
    source = sa.create_engine(f"sqlite:///{path}")
    target = sa.create_engine(server_url(database))
    try:
        meta = sa.MetaData()
        meta.reflect(source)
        for table in meta.tables.values():
            indexed = _indexed(table)
            for column in table.columns:
                column.type = _mariadb_type(column, column.name in indexed)
                column.server_default = None  # SQLite's default texts ('0') are not always MariaDB's syntax
        meta.create_all(target)
        with source.connect() as src, target.begin() as dst:
            for table in meta.sorted_tables:
                rows = [dict(r._mapping) for r in src.execute(sa.select(table))]
                if rows:
                    dst.execute(sa.insert(table), rows)
    finally:
        source.dispose()
        target.dispose()
