"""Access-trail rows of call-record views served from the page cache, written together; each view waits for its own.

Why: a stored page costs ~0.1 ms, one insert through the query path several times that, and on
SQLite the web workers' inserts queue for the one write lock. Views that arrive while an insert
is in flight wait for the *next* insert, which writes all of their rows in one statement (per
tenant). A view is answered only once the statement holding its row has committed; when it
fails, every view of that batch gets the error and takes the normal path (which writes its own).
"""

from __future__ import annotations

import asyncio
import weakref

from core.api.db import current_tenant, tenant_scope
from plugins.bills.tables import CallAccess


class TrailWriter:
    """``await writer.write(row)``: returns once ``row`` is committed, with the rows of other views in the same insert."""

    def __init__(self):
        self.inserts = 0  # statements written (tests: concurrent views share one)
        self._queue: list[tuple[object, CallAccess, asyncio.Future]] = []
        self._running = False

    async def write(self, row: CallAccess) -> None:
        future = asyncio.get_running_loop().create_future()
        self._queue.append((current_tenant(), row, future))
        if not self._running:
            self._running = True
            asyncio.ensure_future(self._run())
        await asyncio.shield(future)  # a view that is cancelled must not cancel the others' insert

    async def _run(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []  # later views wait for the next insert, not this one
                tenants: dict[str, tuple[object, list]] = {}
                for tenant, row, future in batch:
                    tenants.setdefault(tenant.id, (tenant, []))[1].append((row, future))
                for tenant, items in tenants.values():
                    await self._insert(tenant, items)
        finally:
            self._running = False

    async def _insert(self, tenant, items: list) -> None:
        self.inserts += 1
        try:
            with tenant_scope(tenant):
                await CallAccess.insert(*(row for row, _ in items))
        except BaseException as exc:
            for _, future in items:
                if not future.done():
                    future.set_exception(exc if isinstance(exc, Exception) else RuntimeError(repr(exc)))
            if not isinstance(exc, Exception):
                raise
            return
        for _, future in items:
            if not future.done():
                future.set_result(None)


_writers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, TrailWriter]" = weakref.WeakKeyDictionary()


def writer() -> TrailWriter:
    """This event loop's writer (one per web worker)."""
    loop = asyncio.get_running_loop()
    found = _writers.get(loop)
    if found is None:
        found = _writers[loop] = TrailWriter()
    return found
