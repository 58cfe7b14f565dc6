"""Many concurrent small reads as one statement, without ever answering from a read older than the request.

Why: on PostgreSQL each read is a round trip through the pool and a backend's CPU on the same
machine; a cached page's only statement is its data version, so 64 concurrent pages made 64 round
trips. Here the requests that arrive while a read is in flight wait for the *next* read, which
fetches all of their keys at once. Every answer thus comes from a read that started after the
request asked: never older than a commit that finished before the request (read-your-writes holds).
At most one read per batcher is in flight; a request waits at most for the one in flight and its own.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Hashable


class ReadBatcher:
    """``await batcher.get(key)``: the value ``read_many`` gives for ``key`` (one batcher per event loop)."""

    def __init__(self, read_many: Callable[[list], Awaitable[dict]]):
        self.read_many = read_many
        self.reads = 0
        self._queue: dict[Hashable, asyncio.Future] = {}
        self._running = False

    async def get(self, key: Hashable):
        future = self._queue.get(key)
        if future is None:
            future = self._queue[key] = asyncio.get_running_loop().create_future()
        if not self._running:
            self._running = True
            asyncio.ensure_future(self._run())
        return await asyncio.shield(future)  # a waiter that is cancelled must not cancel the others' answer

    async def _run(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, {}  # later requests wait for the next read, not this one
                self.reads += 1
                try:
                    values = await self.read_many(list(batch))
                except BaseException as exc:  # each waiting request gets the error (its page takes the slow path)
                    for future in batch.values():
                        if not future.done():
                            future.set_exception(exc if isinstance(exc, Exception) else RuntimeError(repr(exc)))
                    if not isinstance(exc, Exception):
                        raise
                    continue
                for key, future in batch.items():
                    if not future.done():
                        future.set_result(values.get(key))
        finally:
            self._running = False
