"""Legacy databases for the conformance runs: a SQLite file, or the same tables copied into a scratch PostgreSQL or MariaDB database.

On PostgreSQL the copied DDL is unquoted, so the names fold to lower case
(``kh_khxx``, ``khbh``) as in a real migration, and the mapping's upper-case
names must still resolve. Runs on PostgreSQL only with HALL_TEST_DB=postgres.
On MariaDB (core/testing/mariadb.py) the names keep their case; it runs
whenever a MariaDB answers on 127.0.0.1:3306 (CI starts one), and is skipped
with the reason otherwise.
"""

from __future__ import annotations

import os
import sqlite3
import tomllib
from contextlib import closing
from pathlib import Path

import pytest

from core.testing import mariadb
from core.testing.databases import create_scratch_database, drop_database, pg_url_for
from plugins.sqlbss.billing import connector_class
from plugins.sqlbss.mapping import parse_mapping

REPO = Path(__file__).resolve().parents[2]
ON_POSTGRES = os.environ.get("HALL_TEST_DB") == "postgres"
ENGINES = ["sqlite", "postgres", "mariadb"]


def need_engine(engine: str) -> None:
    if engine == "postgres" and not ON_POSTGRES:
        pytest.skip("a PostgreSQL legacy database needs HALL_TEST_DB=postgres")
    if engine == "mariadb" and (why := mariadb.unavailable()):
        pytest.skip(f"a MariaDB legacy database: {why}")


def tenant_connector(tenant_toml: Path) -> dict:
    """The ``[connector]`` table of a tenant.toml, as the hall reads it."""
    return tomllib.loads(tenant_toml.read_text(encoding="utf-8"))["connector"]


async def copy_to_postgres(path: Path) -> str:
    """Every table of the SQLite file ``path`` in a new PostgreSQL database; its name."""
    import psycopg

    name = await create_scratch_database("hall_legacy")
    with closing(sqlite3.connect(path)) as source, psycopg.connect(pg_url_for(name), autocommit=True) as pg:
        for table, ddl in source.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall():
            pg.execute(ddl.replace("INTEGER PRIMARY KEY", "SERIAL PRIMARY KEY"))  # SQLite's rowid alias numbers itself
            data = source.execute(f"SELECT * FROM {table}").fetchall()
            if data:
                pg.cursor().executemany(f"INSERT INTO {table} VALUES ({', '.join(['%s'] * len(data[0]))})", data)
        for table, column in _serials(pg):  # continue the numbering after the copied rows
            pg.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE(MAX({column}), 0) + 1, false) FROM {table}"
            )
    return name


def _serials(pg) -> list[tuple[str, str]]:
    return pg.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND column_default LIKE 'nextval(%%'"
    ).fetchall()


class LegacyOnEngine:
    """A legacy database (built by ``build(path)`` as SQLite) on one engine, with sqlbss connectors onto it."""

    def __init__(self, root: Path, engine: str, config: dict, tenant_file: Path):
        self.root, self.engine, self.tenant_file = root, engine, tenant_file
        self.path = root / "var" / "legacy.sqlite3"
        self.config = config
        self.pg_name: str | None = None
        self.mariadb_name: str | None = None

    async def start(self) -> "LegacyOnEngine":
        if self.engine == "postgres":
            self.pg_name = await copy_to_postgres(self.path)
            self.config = {**self.config, "url": pg_url_for(self.pg_name)}
        elif self.engine == "mariadb":
            self.mariadb_name = mariadb.create_database()
            mariadb.copy_sqlite(self.path, self.mariadb_name)
            self.config = {**self.config, "url": mariadb.url_text(self.mariadb_name)}
        else:
            self.config = {**self.config, "url": f"sqlite:///{self.path}"}
        return self

    def connector(self, **changes):
        """A connector on this database; ``changes`` replace top-level keys or (as dicts) keys of a section."""
        config = dict(self.config)
        for key, value in changes.items():
            config[key] = {**config[key], **value} if isinstance(value, dict) else value
        mapping = parse_mapping(config, self.tenant_file)
        return connector_class(mapping)(mapping, root=self.root, tenant_file=self.tenant_file)

    def unreachable(self):
        if self.engine == "postgres":  # nothing listens on port 9
            return self.connector(url="postgresql://postgres@127.0.0.1:9/nowhere")
        if self.engine == "mariadb":
            return self.connector(url="mysql+pymysql://root@127.0.0.1:9/nowhere")
        return self.connector(url=f"sqlite:///{self.root / 'var' / 'gone.sqlite3'}")

    def inbox_count(self, table: str, column: str, event_id: str) -> int:
        if self.engine == "postgres":
            import psycopg

            with psycopg.connect(self.config["url"]) as pg:
                return pg.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = %s", (event_id,)).fetchone()[0]
        if self.engine == "mariadb":
            return mariadb.execute(
                f"SELECT COUNT(*) FROM `{table}` WHERE `{column}` = %s", self.mariadb_name, event_id
            )[0][0]
        with closing(sqlite3.connect(self.path)) as conn:
            return conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (event_id,)).fetchone()[0]

    async def stop(self) -> None:
        if self.pg_name:
            await drop_database(self.pg_name)
        if self.mariadb_name:
            mariadb.drop_database(self.mariadb_name)
