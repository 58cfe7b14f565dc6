"""The DB agent process: a big sync reads the legacy system in a child process while the hall writes.

Reading a legacy row, converting it and checking it costs Python ~7 µs; writing
it costs about as much again. In one process both share one interpreter lock,
so reading ahead in a thread gains nothing (measured: bench/sync.py). A child
process reads and converts pages on the other core and hands them over a
pipe, so reading and writing overlap for real - the "DB agent" of
DESIGN.md §3.2, as a process of its own.

It is an optimisation, never a requirement: the engine starts an agent only
when the connector tells it how to build an equivalent connector in another
process (``agent_recipe()``, a picklable ``(callable, args)``) and the first
page came back full (more pages follow, so a start-up of ~1 s pays off).
Pages arrive in order and the engine still commits each page with its
watermark, so a crash of either process loses nothing: the next run starts
after the last committed page. An error in the child (the legacy system went
away) is raised in the parent as the same exception when it can be pickled.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
import queue
import threading
from typing import Any, Callable

log = logging.getLogger("hall.legacy.agent")

POLL_S = 0.5  # how often the parent checks that the child is still alive while waiting


class AgentDied(RuntimeError):
    """The agent process ended without handing over its next page (killed, out of memory)."""


AHEAD = 2  # pickled pages waiting in the agent for the parent: reading goes on while the pipe is busy


def _pack(records: list, watermark: str) -> tuple:
    """A page as sent: NamedTuple records (call records) go as plain tuples plus their class - pickling
    a NamedTuple costs ~3 µs, a tuple ~1.2 µs, and rebuilding it on arrival ~0.2 µs."""
    kind = type(records[0]) if records else None
    if kind is not None and hasattr(kind, "_make") and all(type(r) is kind for r in records):
        return ("tuples", kind, [tuple(r) for r in records], watermark)
    return ("page", records, watermark)


def _unpack(message: tuple) -> tuple[list, str]:
    if message[0] == "tuples":
        _, kind, rows, watermark = message
        return list(map(kind._make, rows)), watermark
    _, records, watermark = message
    return records, watermark


def _sender(out, pages: "queue.Queue[bytes | None]") -> None:
    """Writes pickled pages down the pipe (a write waits for the parent without holding the interpreter lock)."""
    while (data := pages.get()) is not None:
        out.send_bytes(data)


def _child(recipe: tuple[Callable, tuple], kind: str, watermark: str, limit: int, out) -> None:
    """Runs in the agent process: build the connector, send page after page down ``out`` until an empty one.

    Pages are pickled here and handed to a sender thread through a queue of ``AHEAD``, so the agent
    reads the next pages while the parent is still busy with earlier ones, and no further.
    """
    from core.legacy.billing_sync import source_function

    pages: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)
    sender = threading.Thread(target=_sender, args=(out, pages), daemon=True)
    sender.start()
    loop = asyncio.new_event_loop()
    try:
        factory, args = recipe
        connector = factory(*args)
        source = source_function(kind, connector)
        while True:
            records, watermark = loop.run_until_complete(source(watermark, limit))
            pages.put(pickle.dumps(_pack(records, watermark), protocol=pickle.HIGHEST_PROTOCOL))
            if not records:
                break
        close = getattr(connector, "close", None)
        if close is not None:
            loop.run_until_complete(close())
    except BaseException as exc:  # hand every failure to the parent, which decides
        try:
            error = pickle.dumps(exc)
        except Exception:
            error = pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}"))
        pages.put(pickle.dumps(("error", error)))
    finally:
        pages.put(None)
        sender.join()
        loop.close()


class AgentSource:
    """A ``source_fn`` whose pages come from an agent process reading ahead from ``watermark``."""

    def __init__(self, recipe: tuple[Callable, tuple], kind: str, watermark: str, limit: int):
        ctx = multiprocessing.get_context("spawn")  # never fork a process with an event loop and DB threads
        self.pipe, child_end = ctx.Pipe(duplex=False)
        self.expected = watermark
        self.limit = limit
        self.process = ctx.Process(
            target=_child, args=(recipe, kind, watermark, limit, child_end), name=f"hall-db-agent-{kind}", daemon=True
        )
        self.process.start()
        child_end.close()

    def _wait(self) -> None:
        """Block (in a worker thread) until a message is ready; AgentDied when the child is gone without one."""
        while not self.pipe.poll(POLL_S):
            if not self.process.is_alive() and not self.pipe.poll(0):
                raise AgentDied(
                    f"the DB agent process ended (exit code {self.process.exitcode}) without handing over its next page"
                )

    async def __call__(self, watermark: str, limit: int) -> tuple[list, str]:
        if watermark != self.expected or limit != self.limit:
            raise RuntimeError("the DB agent reads pages in order: asked for a page it did not read next")
        if not self.pipe.poll(0):
            await asyncio.to_thread(self._wait)
        try:
            # Received (and unpickled) on the event loop's thread, not the waiting one: unpickling in a
            # second thread while the database thread writes makes both wait on the interpreter lock.
            message = pickle.loads(self.pipe.recv_bytes())
        except EOFError:
            raise AgentDied(f"the DB agent process ended (exit code {self.process.exitcode}) mid-page") from None
        if message[0] == "error":
            raise pickle.loads(message[1])
        records, new_watermark = _unpack(message)
        self.expected = new_watermark
        return records, new_watermark

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5)
        self.pipe.close()


class AdaptiveSource:
    """In-process pages until one comes back full, then an agent process for the rest (when the connector allows)."""

    def __init__(self, source: Callable, connector: Any, kind: str, *, min_rows: int = 5000):
        self.source, self.kind, self.min_rows = source, kind, min_rows
        recipe = getattr(connector, "agent_recipe", None)
        self.recipe = recipe() if callable(recipe) else None
        self.agent: AgentSource | None = None
        self.delivered = False

    async def __call__(self, watermark: str, limit: int) -> tuple[list, str]:
        if self.agent is not None:
            try:
                page = await self.agent(watermark, limit)
                self.delivered = True
                return page
            except AgentDied:
                if self.delivered:
                    raise
                # It never got going (e.g. a script without an ``if __name__ == "__main__"`` guard,
                # which a spawned process re-runs): read in-process instead, from the same page.
                log.warning("the DB agent process for %s did not start; reading in-process", self.kind, exc_info=True)
                self.agent.close()
                self.agent, self.recipe = None, None
        records, new_watermark = await self.source(watermark, limit)
        if self.recipe is not None and limit >= self.min_rows and len(records) >= limit:
            try:
                self.agent = AgentSource(self.recipe, self.kind, new_watermark, limit)
            except Exception:  # no agent (no processes allowed here): go on in-process
                log.warning("could not start a DB agent process for %s; reading in-process", self.kind, exc_info=True)
                self.recipe = None
        return records, new_watermark

    @property
    def reads_ahead(self) -> bool:
        """True once an agent process reads ahead by itself: the engine then asks for a page only when it wants one."""
        return self.agent is not None

    def close(self) -> None:
        if self.agent is not None:
            self.agent.close()
            self.agent = None
