"""The generic sync engine ("DB agent", DESIGN.md §3.2): batches, a watermark, idempotent upserts, quarantine.

``sync_kind`` pages through a legacy source after the stored watermark. Each
page is written by ``upsert_fn`` in ONE transaction together with the advanced
watermark (``SyncState``), so a crash (even ``kill -9``) at any point loses
nothing and repeats nothing: the next run starts after the last committed
page, and upserts on ``(tenant, legacy_id)`` make a repeated page harmless.

Rows that fail validation are not dropped: ``upsert_fn`` returns them as
:class:`Rejected` and they land in ``Quarantine`` (same transaction) with the
reason and a sample of the row, ID numbers masked. The watermark moves past
them; they are re-validated when the legacy row is read again (a later change,
``full=True``) or by ``retry_kind`` (which asks the source for those ids again).
A quarantined row that is accepted later is marked resolved.

The engine knows nothing about bills or calls: a kind is a pair of functions.
``source_fn(watermark, limit) -> (records, new_watermark)`` and
``upsert_fn(records, now) -> Outcome``; ``core.legacy.billing_sync`` supplies them
for ``bills`` and ``calls``, ``core.legacy.customer_sync`` for customers.

With a look-back (core.legacy.look_back) a run starts a little before the stored
watermark, to catch rows the legacy system stamped late; the stored watermark
never moves back, and the state records how many rows were only read again
(``reread_last_run``) and how many really changed the hall (``changed_last_run``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from core.db import transaction
from core.db.page_versions import bump_page_version
from core.legacy.billing_tables import Quarantine
from core.legacy.tables import SyncState
from core.privacy import scrub
from core.tenancy import Tenant, current_tenant, tenant_scope

if TYPE_CHECKING:
    from core.legacy.look_back import LookBack

log = logging.getLogger("hall.legacy.sync")

CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class Rejected:
    legacy_id: str
    reason: str  # ID numbers masked
    sample: dict = field(default_factory=dict, compare=False)


@dataclass
class Outcome:
    """What ``upsert_fn`` did with one page."""

    written: int = 0
    accepted: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


@dataclass
class SyncResult:
    kind: str = ""
    fetched: int = 0
    written: int = 0
    quarantined: int = 0
    resolved: int = 0
    batches: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    watermark: str = ""
    reread: int = 0  # rows the look-back read again (stamped at or before the stored watermark)

    @property
    def new(self) -> int:
        """Rows read after the stored watermark (what a sync without look-back would have read)."""
        return self.fetched - self.reread

    def __str__(self) -> str:
        return (
            f"{self.kind}: {self.fetched} fetched, {self.written} upserted, {self.quarantined} quarantined, "
            f"{self.resolved} resolved from quarantine, {self.batches} batches"
            + (f"; {self.reread} of the rows fetched re-read by the look-back" if self.reread else "")
        )


SourceFn = Callable[[str, int], Awaitable[tuple[list, str]]]
UpsertFn = Callable[[list, dt.datetime], Awaitable[Outcome]]
FetchFn = Callable[[list[str]], Awaitable[list]]


def masked_sample(record: Any) -> dict:
    """A JSON-safe copy of a record (a dataclass or a dict) with every ID-number-shaped run masked."""
    from dataclasses import asdict, is_dataclass

    data = asdict(record) if is_dataclass(record) else record._asdict() if hasattr(record, "_asdict") else dict(record)
    return json.loads(scrub(json.dumps(data, default=str, ensure_ascii=False)))


def chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


async def open_quarantine(kind: str) -> set[str]:
    rows = await Quarantine.select(Quarantine.legacy_id).where(
        (Quarantine.kind == kind) & Quarantine.resolved_at.is_null()
    )
    return {r["legacy_id"] for r in rows}


async def _quarantine(kind: str, rejected: list[Rejected], now: dt.datetime) -> None:
    if not rejected:
        return
    latest = {r.legacy_id: r for r in rejected}  # one row per id, the last reason wins
    old: dict[str, dict] = {}
    for part in chunks(list(latest)):
        rows = await Quarantine.select(Quarantine.legacy_id, Quarantine.first_seen, Quarantine.attempts).where(
            (Quarantine.kind == kind) & Quarantine.legacy_id.is_in(part)
        )
        old.update({r["legacy_id"]: r for r in rows})
    rows = [
        Quarantine(
            kind=kind,
            legacy_id=i[:80],
            reason=scrub(r.reason)[:2000],
            sample=r.sample,
            first_seen=old[i]["first_seen"] if i in old else now,
            last_seen=now,
            attempts=old[i]["attempts"] + 1 if i in old else 1,
            resolved_at=None,
        )
        for i, r in latest.items()
    ]
    values = [
        Quarantine.reason,
        Quarantine.sample,
        Quarantine.first_seen,
        Quarantine.last_seen,
        Quarantine.attempts,
        Quarantine.resolved_at,
    ]
    for part in chunks(rows, 200):
        await Quarantine.insert(*part).on_conflict(
            target=(Quarantine.tenant, Quarantine.kind, Quarantine.legacy_id), action="DO UPDATE", values=values
        )


async def _resolve(kind: str, ids: set[str], now: dt.datetime) -> None:
    for part in chunks(sorted(ids)):
        await Quarantine.update({Quarantine.resolved_at: now}).where(
            (Quarantine.kind == kind) & Quarantine.legacy_id.is_in(part) & Quarantine.resolved_at.is_null()
        )


async def _save_state(kind: str, **values) -> None:
    """The kind's state; in a batch's transaction, with the page version of the tenant (cached pages go stale)."""
    fields = [getattr(SyncState, k) for k in values]
    await SyncState.insert(SyncState(kind=kind, **values)).on_conflict(
        target=(SyncState.tenant, SyncState.kind), action="DO UPDATE", values=fields
    )
    await bump_page_version()  # the rows written with it, and "data as of", are on customer pages


async def apply_page(
    kind: str,
    records: list,
    upsert_fn: UpsertFn,
    pending: set[str],
    result: SyncResult,
    now: dt.datetime,
    seen: frozenset[str] = frozenset(),
) -> None:
    """Write one page and its quarantine changes (the caller holds the transaction).

    ``seen``: ids read again unchanged by the look-back; those already in the quarantine stay as
    they are (no second attempt counted for the same legacy row).
    """
    outcome = await upsert_fn(records, now)
    await _quarantine(kind, [r for r in outcome.rejected if not (r.legacy_id in seen and r.legacy_id in pending)], now)
    resolved = pending.intersection(outcome.accepted) - {r.legacy_id for r in outcome.rejected}
    if resolved:
        await _resolve(kind, resolved, now)
        pending -= resolved
    result.written += outcome.written
    result.quarantined += len(outcome.rejected)
    result.resolved += len(resolved)
    result.rejected += outcome.rejected
    tenant = current_tenant()
    for r in outcome.rejected:
        log.warning(
            "tenant %s: legacy %s row %s quarantined: %s",
            tenant.id if tenant else "?",
            kind,
            r.legacy_id,
            scrub(r.reason),
        )


def _drop(ahead: "asyncio.Future | None") -> None:
    """Cancel a read-ahead that will not be used (the run is failing), without leaving its error unretrieved."""
    if ahead is not None:
        ahead.cancel()
        ahead.add_done_callback(lambda f: f.cancelled() or f.exception())


async def sync_kind(
    tenant: Tenant,
    source_fn: SourceFn,
    upsert_fn: UpsertFn,
    kind: str,
    *,
    batch_size: int = 1000,
    full: bool = False,
    progress: Callable[[SyncResult], None] | None = None,
    commit_rows: int = 0,
    look_back: LookBack | None = None,
) -> SyncResult:
    """Bring one kind of legacy rows up to date (from the start when ``full``); see the module docstring.

    ``commit_rows``: commit once at least this many rows are written (several pages in one
    transaction; 0 = every page). A million call records committed 10,000 at a time rewrite the
    same index pages a hundred times (measured: half the speed of one transaction); 50,000 at a
    time costs the same as one. Each commit still carries the watermark of its last page.

    ``look_back``: start that far before the stored watermark (not on a ``full`` run).
    """
    result = SyncResult(kind=kind)
    with tenant_scope(tenant):
        state = await SyncState.select(SyncState.watermark, SyncState.rows_total).where(SyncState.kind == kind).first()
        watermark = "" if full or state is None else state["watermark"]
        total = state["rows_total"] if state else 0
        stored = watermark
        stored_time = look_back.time_of(watermark) if look_back is not None and watermark else None
        if stored_time is not None:  # a watermark with no time (key-only) cannot be rewound: read after it as before
            watermark = look_back.start(watermark)
        else:
            look_back = None

        def kept(reached: str) -> str:
            return look_back.keep(reached, stored, stored_time) if look_back is not None else reached

        def counts() -> dict:
            return dict(
                rows_last_run=result.fetched,
                rows_total=total + result.fetched - result.reread,
                reread_last_run=result.reread,
                changed_last_run=result.written,
                last_error="",
            )

        started = dt.datetime.now(dt.timezone.utc)
        pending = await open_quarantine(kind)
        ahead = None
        try:
            ahead = asyncio.ensure_future(source_fn(watermark, batch_size))
            done = False
            while not done:
                async with transaction():
                    in_transaction = 0
                    while not done and (in_transaction == 0 or in_transaction < commit_rows):
                        records, new_watermark = await (
                            ahead if ahead is not None else source_fn(watermark, batch_size)
                        )
                        ahead = None
                        if not records:
                            done = True
                            break
                        if new_watermark == watermark:
                            raise RuntimeError(
                                f"connector returned {len(records)} {kind} rows without advancing the watermark"
                            )
                        # Read the next page while this one is written (in the connector's thread, another
                        # server, or the DB agent process). Pages are still written strictly in order.
                        if not getattr(source_fn, "reads_ahead", False):
                            ahead = asyncio.ensure_future(source_fn(new_watermark, batch_size))
                        seen = look_back.reread_ids(records, stored_time) if look_back is not None else frozenset()
                        await apply_page(
                            kind, records, upsert_fn, pending, result, dt.datetime.now(dt.timezone.utc), seen
                        )
                        result.reread += len(seen)
                        result.fetched += len(records)
                        result.batches += 1
                        in_transaction += len(records)
                        watermark = new_watermark
                    if in_transaction:
                        await _save_state(kind, watermark=kept(watermark), last_run_at=started, **counts())
                if in_transaction:
                    result.watermark = kept(watermark)
                    if progress is not None:
                        progress(result)
        except BaseException as exc:
            _drop(ahead)
            if not isinstance(exc, Exception):  # cancelled or interrupted: nothing to record
                raise
            try:
                await _save_state(kind, last_run_at=started, last_error=scrub(f"{type(exc).__name__}: {exc}")[:2000])
            except Exception:  # the hall's database may be what failed: keep the original error
                log.exception("tenant %s: could not record the %s sync error", tenant.id, kind)
            raise
        result.watermark = kept(watermark)
        await _save_state(
            kind,
            watermark=result.watermark,
            last_run_at=started,
            last_success_at=dt.datetime.now(dt.timezone.utc),
            **counts(),
        )
    log.info("tenant %s: %s", tenant.id, result)
    return result


async def retry_kind(
    tenant: Tenant, fetch_fn: FetchFn, upsert_fn: UpsertFn, kind: str, *, batch_size: int = 500
) -> SyncResult:
    """Ask the source again for every open quarantined row of ``kind`` and re-validate it; the watermark is untouched.

    Rows the source no longer has stay quarantined (their attempts count goes up).
    """
    result = SyncResult(kind=kind)
    with tenant_scope(tenant):
        pending = await open_quarantine(kind)
        for part in chunks(sorted(pending), batch_size):
            records = await fetch_fn(part)
            now = dt.datetime.now(dt.timezone.utc)
            found = {getattr(r, "legacy_id", None) for r in records}
            gone = [i for i in part if i not in found]
            async with transaction():
                if records:
                    await apply_page(kind, records, upsert_fn, pending, result, now)
                if gone:  # keep reason and sample; count the attempt
                    await Quarantine.update(
                        {Quarantine.attempts: Quarantine.attempts + 1, Quarantine.last_seen: now}
                    ).where(
                        (Quarantine.kind == kind) & Quarantine.legacy_id.is_in(gone) & Quarantine.resolved_at.is_null()
                    )
                    result.quarantined += len(gone)
            result.fetched += len(records)
            result.batches += 1
    return result
