"""Test databases: one migrated template per pytest-xdist worker, a fresh copy per test.

``HALL_TEST_DB=sqlite`` (default) copies a migrated SQLite file; ``postgres``
creates ``CREATE DATABASE … TEMPLATE …`` on ``HALL_TEST_PG_URL`` (default
postgresql://postgres@127.0.0.1:5432/postgres) and drops it afterwards. The
engine is chosen from the environment before any hall is built.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def engine_under_test() -> str:
    value = os.environ.get("HALL_TEST_DB", "sqlite").lower()
    if value not in ("sqlite", "postgres"):
        raise RuntimeError(f"HALL_TEST_DB must be sqlite or postgres, not {value!r}")
    return value


def worker_tag() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def admin_url() -> str:
    return os.environ.get("HALL_TEST_PG_URL", DEFAULT_PG)


def pg_url_for(database: str, admin: str | None = None) -> str:
    parts = urlsplit(admin or admin_url())
    return urlunsplit(parts._replace(path="/" + database))


async def pg_execute(sql: str, admin: str | None = None) -> None:
    """Run one statement on the administrative database (CREATE/DROP DATABASE)."""
    import asyncpg

    parts = urlsplit(admin or admin_url())
    conn = await asyncpg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        database=parts.path.lstrip("/") or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pg_admin(sql: str) -> None:
    """Run it to completion; on a worker thread when this one already runs an event loop (Playwright's, in browser tests)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(pg_execute(sql))
        return
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, pg_execute(sql)).result()


async def create_scratch_database(prefix: str = "hall_test", admin: str | None = None) -> str:
    """A new, uniquely named empty PostgreSQL database (for tests and benchmarks); returns its name."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    await pg_execute(f'CREATE DATABASE "{name}"', admin)
    return name


async def drop_database(name: str, admin: str | None = None) -> None:
    await pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', admin)


class TestDatabases:
    """Owns the template of one worker and the per-test copies."""

    __test__ = False  # not a test class

    def __init__(self, workdir: Path):
        self.engine = engine_under_test()
        self.workdir = workdir
        self.template: str | None = None
        self.created: list[str] = []

    def template_url(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite:///{self.workdir / 'template.sqlite3'}"
        self.template = f"hall_tpl_{worker_tag()}_{secrets.token_hex(4)}"
        pg_admin(f'CREATE DATABASE "{self.template}"')
        self.created.append(self.template)
        return pg_url_for(self.template)

    def finish_template(self) -> None:
        if self.engine == "sqlite":
            with sqlite3.connect(self.workdir / "template.sqlite3") as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def fresh(self, target_dir: Path) -> str:
        """A new database holding the migrated schema; returns its URL."""
        if self.engine == "sqlite":
            path = target_dir / "hall.sqlite3"
            shutil.copyfile(self.workdir / "template.sqlite3", path)
            return f"sqlite:///{path}"
        name = f"hall_test_{worker_tag()}_{secrets.token_hex(5)}"
        pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return pg_url_for(name)

    def drop(self, url: str) -> None:
        if self.engine == "postgres":
            name = urlsplit(url).path.lstrip("/")
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if name in self.created:
                self.created.remove(name)

    def drop_all(self) -> None:
        for name in list(reversed(self.created)):
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


async def create_core_tables() -> None:
    """The core's tables and their declared indexes, straight from the table classes, on the bound engine.

    For tests and benchmarks that need the core's tables without a whole hall (no migrations run);
    the composite indexes matter, since ``INSERT … ON CONFLICT (tenant, …)`` needs them.
    """
    from piccolo.table import sort_table_classes

    import core.db.piccolo_app  # noqa: F401 - registers the core tables
    from core.db.indexes import create_declared_indexes
    from core.db.piccolo_app import APP_CONFIG

    tables = sort_table_classes(list(APP_CONFIG.table_classes))
    for table in tables:
        await table.create_table(if_not_exists=True)
    await create_declared_indexes(*tables)
