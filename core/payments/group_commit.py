"""Group commit of payment notifications: one write transaction settles every "paid" queued meanwhile.

Why: a credited notification costs a write transaction of its own (``BEGIN``, the
conditional UPDATE, ledger, fulfilment, outbox, page version, ``COMMIT``), and
SQLite has one writer, PostgreSQL one hot page-version row per tenant. Under a
burst the request verifies its notification and reads its intent as before
(:func:`core.payments.settle.precheck`: refusals and duplicates never queue),
then hands the row to this process's settler for its tenant and awaits its own
outcome. The settler takes up to ``BATCH_MAX`` queued items, settles each with
its own conditional UPDATE (:func:`core.payments.settle.claim_and_credit`, the
exactly-once step, unchanged) in ONE transaction, commits, and answers each.

Failure: if anything in a batch raises, the whole transaction rolls back and
every item of it is settled again on its own by :func:`core.payments.settle.settle`
(its own transaction, its own ledger row if it fails again): one bad
notification never fails or loses the others. A crash before the commit loses
nothing: no answer was sent, so the gateway sends every one of them again.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import weakref
from dataclasses import dataclass

from core.db import piccolo_conf, transaction
from core.db.sqlite import PooledSQLiteEngine
from core.payments.model import SUCCEEDED
from core.payments.providers import GatewayResult
from core.payments.settle import Outcome, after_commit, claim_and_credit, one_writer, precheck, settle
from core.tenancy import Tenant, require_tenant, tenant_scope

log = logging.getLogger("hall.payments")
SOURCE = "notification"
BATCH_MAX = 64  # notifications per transaction: enough to absorb a burst, short enough to hold a lock briefly
PARALLEL = 2  # on PostgreSQL: while one batch waits for its commit, the next runs its statements
ALONE = "alone"  # an item's answer when it must be settled on its own (the batch rolled back, or its row moved)
batches: list[int] = []  # sizes of the batches this process committed (tests read them; the last 1,000 kept)


@dataclass
class _Item:
    hall: object
    provider_id: str
    result: GatewayResult
    row: dict
    answer: asyncio.Future


class _Settler:
    """One tenant's queue in one event loop, and the task that drains it a batch at a time."""

    def __init__(self, tenant: Tenant):
        self.tenant = tenant
        self.queue: list[_Item] = []
        self.tasks: set[asyncio.Task] = set()

    def submit(self, item: _Item) -> None:
        self.queue.append(item)
        if len(self.tasks) < _parallel():  # a fresh context: nothing of the first request's leaks in
            task = asyncio.get_running_loop().create_task(self._drain(), context=contextvars.Context())
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _drain(self) -> None:
        with tenant_scope(self.tenant):
            while self.queue:
                batch, self.queue = self.queue[:BATCH_MAX], self.queue[BATCH_MAX:]
                await self._settle(batch)

    async def _settle(self, batch: list[_Item]) -> None:
        # one lock order for every batch (PostgreSQL row locks): two processes' batches cannot deadlock
        batch.sort(key=lambda item: item.row["id"])
        outcomes: list = []
        try:
            async with one_writer(), transaction():
                for item in batch:
                    outcome = await claim_and_credit(
                        item.hall, self.tenant, item.row, item.provider_id, item.result, SOURCE
                    )
                    outcomes.append(ALONE if outcome is None else outcome)
            batches.append(len(batch))
            del batches[:-1000]
        except Exception:
            log.warning(
                "tenant %s: a batch of %d payment notifications rolled back; each is settled on its own",
                self.tenant.id,
                len(batch),
                exc_info=True,
            )
            outcomes = []
        finally:  # cancelled or failed: whoever got no outcome settles alone
            outcomes += [ALONE] * (len(batch) - len(outcomes))
            for item, outcome in zip(batch, outcomes):
                if not item.answer.done():
                    item.answer.set_result(outcome)


def _parallel() -> int:
    """Batches in flight at once: one on SQLite (one writer anyway), PARALLEL on PostgreSQL (their round trips overlap)."""
    return 1 if isinstance(piccolo_conf.DB, PooledSQLiteEngine) else PARALLEL


_settlers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Settler]]" = weakref.WeakKeyDictionary()


def _settler(tenant: Tenant) -> _Settler:
    loop = asyncio.get_running_loop()
    mine = _settlers.setdefault(loop, {})
    settler = mine.get(tenant.id)
    if settler is None or settler.tenant is not tenant:
        settler = mine[tenant.id] = _Settler(tenant)
    return settler


async def settle_notification(hall, provider_id: str, result: GatewayResult) -> Outcome:
    """Settle a verified notification in the current tenant: a "paid" that may credit goes through a batch.

    Same outcomes, same guarantees as :func:`core.payments.settle.settle`, which
    settles anything else (and anything a batch could not).
    """
    if result.status != SUCCEEDED:
        return await settle(hall, provider_id, result, source=SOURCE)
    tenant = require_tenant()
    try:
        checked = await precheck(hall, tenant, provider_id, result, SOURCE)
    except Exception:  # the careful path records why in the ledger
        return await settle(hall, provider_id, result, source=SOURCE)
    if not isinstance(checked, dict):
        return checked if checked is not None else await settle(hall, provider_id, result, source=SOURCE)
    answer = asyncio.get_running_loop().create_future()
    _settler(tenant).submit(_Item(hall, provider_id, result, checked, answer))
    outcome = await asyncio.shield(answer)
    if outcome is ALONE:
        return await settle(hall, provider_id, result, source=SOURCE)
    await after_commit(hall, outcome, result)
    return outcome
