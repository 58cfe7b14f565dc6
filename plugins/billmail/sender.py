"""Send a batch: claim a small chunk (committed ``sending``), build, hand to SMTP, record; resumable, never twice.

The contract (docs/billmail.md):

- One sender per batch at a time, by a lease on the batch row renewed every
  chunk. A sender that cannot renew stops.
- A row is committed ``sending`` (claimed) *before* its SMTP transaction and
  becomes ``sent`` only after the server's 250 to DATA.
- Whoever takes the lease next finds the previous holder's ``sending`` rows:
  they may or may not have reached the server, so they become ``uncertain``
  and are never sent again automatically; an operator may resend them.
- A refused or unreachable send is ``failed`` with a retry time (doubling);
  after ``max_attempts`` it waits for an operator.

The database work per chunk is constant: one claim, three reads (bills,
items, calls: chunk.py), a handful of updates. While one chunk is with the SMTP threads
the next is claimed and built, so at most two chunks are in flight.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from core.api import Tenant
from core.api.legacy import SyncState
from core.api.web import as_of
from plugins.billmail.chunk import load_chunk
from plugins.billmail.compose import MailContext, build, mail_context
from plugins.billmail.smtp_pool import FAILED, SENT, UNCERTAIN, SmtpPool
from plugins.billmail.tables import Batch, Send
from plugins.billmail.tokens import make_token

Clock = Callable[[], dt.datetime]
CLAIM_FIELDS = (Send.id, Send.subscription, Send.number, Send.email, Send.language, Send.attempts)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def new_owner(kind: str = "sender") -> str:
    return f"{kind}:{socket.gethostname()[:20]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class RunResult:
    batch_id: int
    status: str = "done"  # done | busy (another sender holds the lease) | lost (lease taken over) | stopped (limit)
    sent: int = 0
    failed: int = 0
    uncertain: int = 0
    marked_uncertain: int = 0  # rows a previous, dead sender left "sending"
    finished: bool = False
    errors: list[str] = field(default_factory=list)


def retry_at(settings, attempts: int, now: dt.datetime) -> dt.datetime | None:
    if attempts >= settings.max_attempts:
        return None
    return now + dt.timedelta(minutes=settings.retry_minutes * 2 ** max(0, attempts - 1))


async def take_lease(batch_id: int, owner: str, seconds: int, now: dt.datetime, take_over: bool = False) -> bool:
    free = (Batch.lease_owner == "") | (Batch.lease_until < now) | (Batch.lease_owner == owner)
    condition = (Batch.id == batch_id) if take_over else ((Batch.id == batch_id) & free)
    rows = (
        await Batch.update({Batch.lease_owner: owner, Batch.lease_until: now + dt.timedelta(seconds=seconds)})
        .where(condition)
        .returning(Batch.id)
    )
    return bool(rows)


async def renew_lease(batch_id: int, owner: str, seconds: int, now: dt.datetime) -> bool:
    rows = (
        await Batch.update({Batch.lease_until: now + dt.timedelta(seconds=seconds)})
        .where((Batch.id == batch_id) & (Batch.lease_owner == owner))
        .returning(Batch.id)
    )
    return bool(rows)


async def release_lease(batch_id: int, owner: str) -> None:
    await Batch.update({Batch.lease_owner: "", Batch.lease_until: None}).where(
        (Batch.id == batch_id) & (Batch.lease_owner == owner)
    )


async def mark_orphans_uncertain(batch_id: int, owner: str, now: dt.datetime) -> int:
    """The previous lease holder's ``sending`` rows: maybe delivered, maybe not - never resent automatically."""
    rows = (
        await Send.update(
            {
                Send.state: UNCERTAIN,
                Send.last_error: f"the sender stopped during this send (found {now:%Y-%m-%d %H:%M} UTC)",
            }
        )
        .where((Send.batch == batch_id) & (Send.state == "sending") & (Send.claimed_by != owner))
        .returning(Send.id)
    )
    return len(rows)


async def claim(batch_id: int, owner: str, size: int, after_id: int, now: dt.datetime) -> list[dict]:
    """Commit ``sending`` on the next queued rows (by id after ``after_id``), else on failed rows due for a retry."""
    ids = [
        r["id"]
        for r in await Send.select(Send.id)
        .where((Send.batch == batch_id) & (Send.state == "queued") & (Send.id > after_id))
        .order_by(Send.id)
        .limit(size)
    ]
    if not ids:
        ids = [
            r["id"]
            for r in await Send.select(Send.id)
            .where((Send.batch == batch_id) & (Send.state == "failed") & (Send.next_attempt_at <= now))
            .order_by(Send.id)
            .limit(size)
        ]
    if not ids:
        return []
    return (
        await Send.update(
            {Send.state: "sending", Send.claimed_by: owner, Send.claimed_at: now, Send.attempts: Send.attempts + 1}
        )
        .where(Send.id.is_in(ids) & Send.state.is_in(["queued", "failed"]))
        .returning(*CLAIM_FIELDS)
    )


async def record(
    results: list[tuple[int, str, str]], attempts: dict[int, int], owner: str, settings, now: dt.datetime
) -> None:
    """Write a chunk's outcomes: one update for the sent, one per retry time for the failed, one for the uncertain."""
    mine = (Send.claimed_by == owner) & Send.state.is_in(["sending", UNCERTAIN])
    sent = [i for i, state, _ in results if state == SENT]
    if sent:
        await Send.update({Send.state: SENT, Send.sent_at: now, Send.last_error: "", Send.next_attempt_at: None}).where(
            Send.id.is_in(sent) & mine
        )
    by_error: dict[tuple[str, str, dt.datetime | None], list[int]] = defaultdict(list)
    for i, state, error in results:
        if state == FAILED:
            by_error[(FAILED, error, retry_at(settings, attempts[i], now))].append(i)
        elif state == UNCERTAIN:
            by_error[(UNCERTAIN, error, None)].append(i)
    for (state, error, when), ids in by_error.items():
        await Send.update({Send.state: state, Send.last_error: error, Send.next_attempt_at: when}).where(
            Send.id.is_in(ids) & mine
        )


class BatchSender:
    """Sends one batch of the current tenant; see the module docstring for the contract."""

    def __init__(
        self,
        hall,
        tenant: Tenant,
        batch_id: int,
        *,
        owner: str | None = None,
        clock: Clock = utc_now,
        on_step: Callable[[str, str], None] | None = None,
        progress: Callable[[RunResult], None] | None = None,
    ):
        self.hall, self.tenant, self.batch_id = hall, tenant, batch_id
        self.settings = tenant.plugin_settings("billmail")
        self.owner = owner or new_owner()
        self.clock = clock
        self.on_step = on_step or (lambda name, detail: None)
        self.progress = progress or (lambda result: None)
        self._contexts: dict[str, MailContext] = {}
        self._data_as_of: dict[str, str] = {}

    async def _context(self, language: str) -> MailContext:
        ctx = self._contexts.get(language)
        if ctx is None:
            if not self._data_as_of:
                state = await SyncState.select(SyncState.last_success_at).where(SyncState.kind == "bills").first()
                self._data_as_of["at"] = state["last_success_at"] if state else None
            at = self._data_as_of["at"]
            text = (
                as_of(self.tenant, at, language if language in ("zh_CN", "en") else self.tenant.language)["text"]
                if at
                else ""
            )
            ctx = self._contexts[language] = mail_context(self.hall, self.tenant, language, text)
        return ctx

    async def _build(
        self, month: str, rows: list[dict]
    ) -> tuple[list[tuple[int, str, bytes]], list[tuple[int, str, str]]]:
        bills, items, calls = await load_chunk(self.tenant, month, rows)
        mails, missing = [], []
        now = self.clock()
        for row in rows:
            bill = bills.get(row["number"])
            if bill is None:  # the bill disappeared upstream since the batch was made
                missing.append((row["id"], FAILED, "no bill for this month any more"))
                continue
            ctx = await self._context(row["language"] or self.tenant.language)
            token = make_token(self.hall.secret, self.tenant.id, row["subscription"])
            data = build(
                ctx,
                send_id=row["id"],
                to=row["email"],
                number=row["number"],
                bill=bill,
                items=items.get(bill["legacy_id"], []),
                calls=calls.get(row["number"], []),
                token=token,
                now=now,
            )
            mails.append((row["id"], row["email"], data))
        return mails, missing

    def _submit(self, pool: SmtpPool, mails: list[tuple[int, str, bytes]]):
        loop = asyncio.get_running_loop()
        slices = [mails[i :: pool.size] for i in range(pool.size)]
        return [loop.run_in_executor(pool.executor, pool.send_many, part) for part in slices if part]

    async def run(self, *, take_over: bool = False, limit: int | None = None) -> RunResult:
        result = RunResult(self.batch_id)
        batch = await Batch.select().where(Batch.id == self.batch_id).first()
        if batch is None:
            raise LookupError(f"no batch {self.batch_id}")
        lease = self.settings.lease_seconds
        if not await take_lease(self.batch_id, self.owner, lease, self.clock(), take_over):
            result.status = "busy"
            return result
        pool = SmtpPool(self.hall.deployment.mail, self.settings.connections)
        try:
            result.marked_uncertain = await mark_orphans_uncertain(self.batch_id, self.owner, self.clock())
            await self._loop(batch["month"], pool, result, limit)
        finally:
            pool.close()
            await release_lease(self.batch_id, self.owner)
        return result

    async def _loop(self, month: str, pool: SmtpPool, result: RunResult, limit: int | None) -> None:
        after_id, in_flight, attempts = 0, None, {}
        while True:
            stop = None
            if not await renew_lease(self.batch_id, self.owner, self.settings.lease_seconds, self.clock()):
                stop = "lost"
            elif limit is not None and result.sent + result.failed + result.uncertain >= limit:
                stop = "stopped"
            rows = (
                []
                if stop
                else await claim(self.batch_id, self.owner, self.settings.claim_chunk, after_id, self.clock())
            )
            mails: list = []
            if rows:
                self.on_step("claimed", str(len(rows)))
                after_id = max(after_id, *(r["id"] for r in rows))
                attempts.update({r["id"]: r["attempts"] for r in rows})
                mails, missing = await self._build(month, rows)
                if missing:
                    await self._record(missing, attempts, result)
            if in_flight is not None:  # the previous chunk was with the SMTP threads while this one was built
                await self._record(
                    [outcome for part in await asyncio.gather(*in_flight) for outcome in part], attempts, result
                )
                in_flight = None
            if stop:
                result.status = stop
                break
            if not rows:
                break
            in_flight = self._submit(pool, mails) if mails else None
        if result.status == "done":
            result.finished = await self._finish()

    async def _record(self, outcomes: list[tuple[int, str, str]], attempts: dict[int, int], result: RunResult) -> None:
        await record(outcomes, attempts, self.owner, self.settings, self.clock())
        for mail_id, state, error in outcomes:
            setattr(result, state, getattr(result, state) + 1)
            attempts.pop(mail_id, None)
            if error and len(result.errors) < 5:
                result.errors.append(error)
        self.on_step("recorded", f"{len(outcomes)}")
        self.progress(result)

    async def _finish(self) -> bool:
        """Mark the batch finished when nothing is left for the sender (queued, or failed with a retry time)."""
        left = await Send.exists().where(
            (Send.batch == self.batch_id)
            & ((Send.state == "queued") | ((Send.state == FAILED) & Send.next_attempt_at.is_not_null()))
        )
        if left:
            return False
        await Batch.update({Batch.finished_at: self.clock()}).where(
            (Batch.id == self.batch_id) & Batch.finished_at.is_null()
        )
        return True
