"""One scalar read through the raw driver, off the query path, for a statement run on every request.

Why: through Piccolo's engine a statement costs 0.1-0.3 ms of CPU (aiosqlite's thread hand-off,
the pool, the result rows); plain ``sqlite3`` costs ~0.01 ms and ``asyncpg``'s ``fetchval`` ~0.05 ms
(docs/benchmarks.md, "Where the time goes"). Only for reads outside a transaction (a read inside
one must see the transaction's own writes): then, and when there is no raw way (no pool),
:data:`UNAVAILABLE` tells the caller to take the ordinary path.

SQLite: one plain connection per thread in autocommit mode, so every read sees the latest commit
(WAL: readers never wait for the writer); a read that meets a lock gives up after 0.2 s and the
ordinary path waits instead. PostgreSQL: a connection of the engine's pool. SQL uses ``?``
placeholders, turned into ``$1, $2...`` for asyncpg.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading

from piccolo.engine.postgres import PostgresEngine

from core.db import piccolo_conf
from core.db.sqlite import PooledSQLiteEngine

UNAVAILABLE = object()
_local = threading.local()


@functools.lru_cache(maxsize=32)
def _dollars(sql: str) -> str:
    count = iter(range(1, 1000))
    return re.sub(r"\?", lambda _m: f"${next(count)}", sql)


def _sqlite(path: str) -> sqlite3.Connection:
    conns = _local.__dict__.setdefault("conns", {})
    conn = conns.get(path)
    if conn is None:
        conn = conns[path] = sqlite3.connect(path, timeout=0.2, isolation_level=None, check_same_thread=True)
    return conn


def pg_pool():
    """The engine's asyncpg pool when a raw PostgreSQL read may be made now (not in a transaction), else None."""
    engine = piccolo_conf.DB
    if isinstance(engine, PostgresEngine) and engine.pool is not None and not engine.transaction_exists():
        return engine.pool
    return None


async def scalar(sql: str, *args):
    """The first column of the first row (None without rows), or :data:`UNAVAILABLE`."""
    engine = piccolo_conf.DB
    if engine.transaction_exists():
        return UNAVAILABLE
    if isinstance(engine, PooledSQLiteEngine):
        try:
            row = _sqlite(engine.connection_kwargs["database"]).execute(sql, args).fetchone()
        except sqlite3.Error:  # locked, or the file is not there yet: the ordinary path decides
            return UNAVAILABLE
        return row[0] if row else None
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        async with engine.pool.acquire() as conn:
            return await conn.fetchval(_dollars(sql), *args)
    return UNAVAILABLE
