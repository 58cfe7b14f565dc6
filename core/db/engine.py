"""Engine set-up: one engine per process, bound to every Piccolo table, chosen by database URL."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString
from piccolo.table import Table

from core.db import piccolo_conf
from core.db.engines import build_engine
from core.db.scoping import TenantScopeError
from core.db.sqlite import PooledSQLiteEngine
from core.db.url import DatabaseURL, parse_database_url
from core.tenancy import current_tenant


def _all_tables(base: type[Table] = Table):
    for sub in base.__subclasses__():
        yield sub
        yield from _all_tables(sub)


class Database:
    """The hall's database: builds the engine and points every table (and Piccolo's migrator) at it."""

    def __init__(self, url: str, root: Path, pool_size: int = 10, use_pool: bool = True):
        self.url = url
        self.use_pool = use_pool  # tests turn it off: an asyncpg pool belongs to one event loop
        self.parsed: DatabaseURL = parse_database_url(url)
        self.engine: Engine = build_engine(self.parsed, root, pool_size)
        self.pool_size = pool_size
        self.bind()

    @property
    def is_sqlite(self) -> bool:
        return self.parsed.engine == "sqlite"

    def bind(self) -> None:
        """Point every table class known now at this engine (tables imported later call bind again)."""
        os.environ.setdefault("PICCOLO_CONF", "core.db.piccolo_conf")
        piccolo_conf.DB = self.engine
        for table in _all_tables():
            table._meta.db = self.engine

    async def connect(self) -> None:
        if isinstance(self.engine, PostgresEngine) and self.use_pool:
            await self.engine.start_connection_pool(min_size=1, max_size=self.pool_size)

    async def disconnect(self) -> None:
        if isinstance(self.engine, PostgresEngine):
            if self.engine.pool is not None:
                await self.engine.close_connection_pool()
        elif isinstance(self.engine, PooledSQLiteEngine):
            await self.engine.close_pools()


def transaction():
    """A write transaction on the hall's engine (IMMEDIATE on SQLite, so it never deadlocks on upgrade).

    Page versions bumped in it (core.db.page_versions) are written just before it commits.
    """
    from core.db.page_versions import BumpingTransaction

    return BumpingTransaction(piccolo_conf.DB.transaction())


async def fetch(sql: str, *args) -> list[dict]:
    """One SQL statement with ``{}`` placeholders on the hall's engine (inside the current transaction if any).

    Not tenant-scoped: for tenant-owned tables use :func:`fetch_scoped`. JSON columns come back as text.
    """
    rows = await piccolo_conf.DB.run_querystring(QueryString(sql, *args)) or []
    return [dict(r) for r in rows] if rows and not isinstance(rows[0], dict) else rows


_PLACEHOLDER = re.compile(r"\{tenant\}|\{\}")


@functools.lru_cache(maxsize=256)
def _tenant_slots(sql: str) -> tuple[str, tuple[bool, ...]]:
    """``sql`` with every ``{tenant}`` made a ``{}`` placeholder, and which placeholders were ``{tenant}``."""
    slots = tuple(m.group() == "{tenant}" for m in _PLACEHOLDER.finditer(sql))
    if not any(slots):
        raise TenantScopeError(f"fetch_scoped needs {{tenant}} in its SQL: {sql[:120]}")
    return sql.replace("{tenant}", "{}"), slots


async def fetch_scoped(sql: str, *args) -> list[dict]:
    """A plain-SQL read of tenant-owned tables, for the hottest pages, scoped centrally.

    ``{tenant}`` in ``sql`` is the current tenant's id (write it into every
    tenant-owned table's condition); ``{}`` takes ``args`` in order. SQL without
    ``{tenant}``, or a call outside a tenant, is refused, as the query builder's
    scoping refuses a query with no tenant. Why plain SQL at all: the query
    builder costs 0.1-0.5 ms of CPU per statement to build SQL and post-process
    rows, more than the database takes on a page's indexed reads (docs/benchmarks.md).
    """
    tenant = current_tenant()
    if tenant is None:
        raise TenantScopeError("a tenant-owned read needs a current tenant: call it inside a request or tenant_scope()")
    template, slots = _tenant_slots(sql)
    if len(args) != slots.count(False):
        raise TypeError(f"fetch_scoped: {len(args)} values for {slots.count(False)} placeholders")
    given = iter(args)
    return await fetch(template, *[tenant.id if is_tenant else next(given) for is_tenant in slots])
