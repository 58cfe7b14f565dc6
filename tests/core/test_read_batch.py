"""ReadBatcher: concurrent reads share a statement, but no answer comes from a read that began before the request."""

from __future__ import annotations

import asyncio

from core.db.read_batch import ReadBatcher


def test_requests_during_a_read_wait_for_the_next_one_and_share_it():
    async def scenario():
        store = {"a": 1, "b": 10}
        started: list[list] = []
        gate = asyncio.Event()

        async def read_many(keys):
            started.append(sorted(keys))
            snapshot = dict(store)  # what the database holds when the statement starts
            await gate.wait()
            return {k: snapshot[k] for k in keys}

        batcher = ReadBatcher(read_many)
        first = asyncio.ensure_future(batcher.get("a"))
        await asyncio.sleep(0)
        await asyncio.sleep(0)  # the first read is in flight, with the old data
        store["a"] = 2  # a write commits; requests from now on must see it
        later = [asyncio.ensure_future(batcher.get(k)) for k in ("a", "a", "b")]
        await asyncio.sleep(0)
        gate.set()
        assert await first == 1  # asked before the write
        assert [await f for f in later] == [2, 2, 10]  # asked after it: the next read, one for all three
        assert started == [["a"], ["a", "b"]] and batcher.reads == 2

    asyncio.run(scenario())


def test_an_error_reaches_every_waiter_and_the_batcher_recovers():
    async def scenario():
        calls = []

        async def read_many(keys):
            calls.append(keys)
            if len(calls) == 1:
                raise OSError("connection lost")
            return {k: 7 for k in keys}

        batcher = ReadBatcher(read_many)
        results = await asyncio.gather(batcher.get("x"), batcher.get("y"), return_exceptions=True)
        assert all(isinstance(r, OSError) for r in results)
        assert await batcher.get("x") == 7

    asyncio.run(scenario())


def test_a_cancelled_waiter_does_not_cancel_the_others():
    async def scenario():
        gate = asyncio.Event()

        async def read_many(keys):
            await gate.wait()
            return {k: 3 for k in keys}

        batcher = ReadBatcher(read_many)
        one, two = asyncio.ensure_future(batcher.get("k")), asyncio.ensure_future(batcher.get("k"))
        await asyncio.sleep(0)
        one.cancel()
        gate.set()
        assert await two == 3

    asyncio.run(scenario())
