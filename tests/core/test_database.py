"""Engines: kept-open SQLite connections with WAL and a busy timeout; migrations create every declared index."""

from __future__ import annotations

import asyncio
import logging

import pytest

from core.db import transaction
from core.db.indexes import declared
from core.db.scoping import tenant_tables
from core.privacy import MaskingFilter, mask_id
from core.testing import make_id_number
from core.testing.databases import engine_under_test

sqlite_only = pytest.mark.skipif(engine_under_test() != "sqlite", reason="SQLite engine behaviour")


@sqlite_only
def test_sqlite_connections_are_reused_and_configured(hall):
    from core.notify.tables import Message

    engine = hall.hall.db.engine

    async def go():
        for _ in range(20):
            await Message.count()
        pool = engine.pool()
        conn = pool.all[0]
        async with conn.execute("PRAGMA busy_timeout") as cur:
            busy = await cur.fetchone()
        async with conn.execute("PRAGMA journal_mode") as cur:
            mode = await cur.fetchone()
        return pool.opened, list(busy.values())[0], list(mode.values())[0]

    opened, busy, mode = hall.in_tenant("alpha", go)
    assert opened == 1, "twenty sequential queries must share one kept-open connection"
    assert busy >= 5000 and mode == "wal"


def test_concurrent_write_transactions_neither_hang_nor_lose_writes(hall):
    from core.notify.tables import Message

    async def writer(i):
        async with transaction():
            n = await Message.count()
            await Message.insert(Message(channel="sms", recipient=f"w{i}", subject="", body_text=str(n)))
            await asyncio.sleep(0.01)  # hold the write lock a moment

    async def go():
        await asyncio.wait_for(asyncio.gather(*(writer(i) for i in range(12))), timeout=60)
        return await Message.count()

    assert hall.in_tenant("alpha", go) == 12


def test_a_failed_transaction_leaves_nothing(hall):
    from core.notify.tables import Message

    async def go():
        with pytest.raises(RuntimeError):
            async with transaction():
                await Message.insert(Message(channel="sms", recipient="x", subject="", body_text="x"))
                raise RuntimeError("crash mid-way")
        return await Message.count()

    assert hall.in_tenant("alpha", go) == 0


def test_migrations_create_every_declared_composite_index(hall):
    engine = hall.hall.db.engine

    async def index_names():
        if hall.hall.db.is_sqlite:
            rows = await engine.run_querystring(
                __import__("piccolo.querystring", fromlist=["QueryString"]).QueryString(
                    "SELECT name FROM sqlite_master WHERE type = 'index'"
                )
            )
        else:
            rows = await engine.run_querystring(
                __import__("piccolo.querystring", fromlist=["QueryString"]).QueryString(
                    "SELECT indexname AS name FROM pg_indexes"
                )
            )
        return {r["name"] for r in rows}

    names = hall.run(index_names())
    for table in tenant_tables():
        for tablename, cols in declared(table):
            assert f"{tablename}_{'_'.join(cols)}_uniq" in names
        for tablename, cols in declared(table, unique=False):
            assert f"{tablename}_{'_'.join(cols)}_idx" in names


def test_unique_together_is_enforced(hall):
    from core.auth.tables import Role

    async def go():
        await Role.insert(Role(name="dup", permissions=[]))
        with pytest.raises(
            Exception, match="(?i)unique"
        ):  # sqlite3's or asyncpg's own error: UNIQUE constraint / unique constraint
            await Role.insert(Role(name="dup", permissions=[]))

    hall.in_tenant("alpha", go)
    hall.in_tenant("beta", lambda: Role.insert(Role(name="dup", permissions=[])))  # same name, other tenant: fine


def test_id_numbers_are_masked_in_logs(caplog):
    number = make_id_number(7)
    logger = logging.getLogger("hall.test")
    logger.addFilter(MaskingFilter())
    with caplog.at_level(logging.INFO, logger="hall.test"):
        logger.info("customer %s signed up with %s", "x", number)
        logger.info(f"inline {number}")
    assert number not in caplog.text
    assert mask_id(number) in caplog.text
