"""The data version every cached customer page is checked against: one row per (tenant, customer account),
``customer = 0`` for the whole tenant.

A page is stored with the version read *before* it was rendered, and served only while the
version is unchanged, so a write committed at any moment (in any process) makes it stale at
once. The version of a customer is the sum of two monotonic counters, the customer's row and
the tenant's row (``customer = 0``): a bump of either raises the sum. Rows are never deleted.

The page cache (core.web.pagecache) reads it; writers bump it (here in core.db, so any layer may import it).
"""

from __future__ import annotations

import asyncio
import weakref
from contextvars import ContextVar

from piccolo.columns import Integer

from core.db import fast_read, piccolo_conf
from core.db.read_batch import ReadBatcher
from core.db.engine import fetch, fetch_scoped
from core.db.scoping import TenantScopeError, TenantTable
from core.tenancy import current_tenant


class PageVersion(TenantTable, tablename="core_page_version"):
    """Bumped in the transaction of every write that can change what a customer page shows."""

    customer = Integer(default=0)  # the customer account's id; 0: every customer of the tenant
    version = Integer(default=0)

    UNIQUE_TOGETHER = [("tenant", "customer")]


TENANT = 0  # the tenant-wide row
reads = [0]  # versions read by this process (tests count them: a hit reads exactly one)

_READ = "SELECT COALESCE(SUM(version), 0) AS v FROM core_page_version WHERE tenant = {tenant} AND customer IN (0, {})"
_READ_RAW = "SELECT COALESCE(SUM(version), 0) FROM core_page_version WHERE tenant = ? AND customer IN (0, ?)"
_BUMP = (
    "INSERT INTO core_page_version (tenant, customer, version) VALUES ({tenant}, {}, 1)"
    " ON CONFLICT (tenant, customer) DO UPDATE SET version = core_page_version.version + 1"
)


async def page_version(customer_id: int) -> int:
    """The data version of ``customer_id``'s pages in the current tenant (one indexed statement).

    Read on every cached page, so through the raw driver where it can be (core.db.fast_read):
    a plain ``sqlite3`` read costs ~0.01 ms, the query path ~0.1-0.3 ms (docs/benchmarks.md).
    """
    tenant = current_tenant()
    if tenant is None:
        raise TenantScopeError("page_version needs a current tenant")
    reads[0] += 1
    if fast_read.pg_pool() is not None:  # concurrent pages share one round trip (core.db.read_batch)
        return await _batcher().get((tenant.id, int(customer_id)))
    value = await fast_read.scalar(_READ_RAW, tenant.id, int(customer_id))
    if value is fast_read.UNAVAILABLE:
        rows = await fetch_scoped(_READ, int(customer_id))
        value = rows[0]["v"] if rows else 0
    return int(value or 0)


_READ_MANY = "SELECT customer, version FROM core_page_version WHERE tenant = $1 AND customer = ANY($2::int[])"
_batchers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ReadBatcher]" = weakref.WeakKeyDictionary()


def _batcher() -> ReadBatcher:
    loop = asyncio.get_running_loop()
    batcher = _batchers.get(loop)
    if batcher is None:
        batcher = _batchers[loop] = ReadBatcher(_read_many)
    return batcher


async def _read_many(keys: list[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """The versions of many (tenant, customer) at once: one statement per tenant, on one pooled connection."""
    wanted: dict[str, set[int]] = {}
    for tenant_id, customer in keys:
        wanted.setdefault(tenant_id, set()).add(customer)
    out = {}
    pool = fast_read.pg_pool() or piccolo_conf.DB.pool
    async with pool.acquire() as conn:
        for tenant_id, customers in wanted.items():
            rows = await conn.fetch(_READ_MANY, tenant_id, [TENANT, *customers])
            got = {row[0]: row[1] for row in rows}
            for customer in customers:
                out[(tenant_id, customer)] = got.get(TENANT, 0) + (got.get(customer, 0) if customer != TENANT else 0)
    return out


_pending: ContextVar[set | None] = ContextVar("hall_page_bumps", default=None)
_BUMP_IN = _BUMP.replace("{tenant}", "{}")


async def bump_page_version(customer_id: int | None = None) -> None:
    """Make cached pages stale: one customer's (an account id), or every customer's of the current tenant (None).

    Call it inside the transaction of the write, so the data and the version commit together. Inside
    ``core.db.transaction()`` the bump is made as the transaction's last statements, just before its
    commit, in a fixed order: the version row's lock is then held for a moment and never while the
    transaction waits for another lock, so bumping transactions cannot deadlock on it (PostgreSQL).
    """
    tenant = current_tenant()
    if tenant is None:
        raise TenantScopeError("bump_page_version needs a current tenant")
    key = (tenant.id, TENANT if customer_id is None else int(customer_id))
    pending = _pending.get()
    if pending is not None:
        pending.add(key)
    else:
        await fetch(_BUMP_IN, *key)


class BumpingTransaction:
    """``core.db.transaction()``: the engine's transaction, with the page versions bumped in it right before it commits."""

    def __init__(self, inner):
        self.inner = inner
        self._token = None

    async def __aenter__(self):
        value = await self.inner.__aenter__()
        if _pending.get() is None:  # the outermost: it commits
            self._token = _pending.set(set())
        return value

    async def __aexit__(self, exc_type, exc, tb):
        if self._token is None:
            return await self.inner.__aexit__(exc_type, exc, tb)
        pending = _pending.get() or set()
        _pending.reset(self._token)
        if exc_type is None:
            try:
                for key in sorted(pending):  # one order for every transaction: no lock cycle between them
                    await fetch(_BUMP_IN, *key)
            except BaseException as error:  # the bump failed: the whole transaction rolls back
                await self.inner.__aexit__(type(error), error, error.__traceback__)
                raise
        return await self.inner.__aexit__(exc_type, exc, tb)
