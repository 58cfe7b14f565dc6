"""Change reconciliation: compare the whole legacy table with the hall's copy, chunk by chunk, and repair what differs.

The incremental sync trusts the legacy system's change stamps; a row stamped
earlier than the watermark minus the look-back (core.legacy.look_back) is never
read. This catches what it misses, whatever the stamps say: it walks the
legacy keys in key order (``LegacyIdSource.legacy_ids``, the listing the
deletion reconciliation uses), ``CHUNK`` at a time; for each chunk it reads the
rows by id (``customers_by_ids`` / ``bills_by_ids`` / ``calls_by_ids``),
validates them as the sync does and compares a checksum over the mapped fields
with one over the hall's rows (core.legacy.fingerprints; both computed in Python,
so any backend works). Only when the checksums differ are rows compared one by
one; rows that differ (``changed``) or that the hall lacks (``missing``) are
written through the sync's own upsert, quarantine included. Then the deletion
reconciliation (core.legacy.reconcile, safety valve included) removes rows gone
upstream, and its count is reported as ``deleted``.

Crash-safe and resumable: each chunk's repairs are committed in one transaction
with the run's cursor and counters (``ChangeReconcileRun``), so a run cut short
(legacy system down, ``kill -9``) continues after its last committed chunk next
time, and a repaired row is never counted twice. Memory holds one chunk.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from core.db import transaction
from core.legacy import fingerprints as fp
from core.legacy.reconcile import reconcilable, reconcile_kind
from core.legacy.sync_engine import SyncResult, apply_page, open_quarantine
from core.legacy.tables import ChangeReconcileRun, SyncState
from core.privacy import scrub
from core.tenancy import Tenant, tenant_scope
from core.db.page_versions import bump_page_version

log = logging.getLogger("hall.legacy.reconcile")

KINDS = ("customers", "bills", "calls")
CHUNK = 1000  # legacy keys compared per step
COUNTERS = ("chunks", "compared", "changed", "missing", "quarantined", "seconds")


@dataclass
class ChangeResult:
    kind: str
    compared: int = 0
    changed: int = 0  # content differed: written again
    missing: int = 0  # the hall did not have the row: written
    deleted: int = 0  # gone upstream: removed (customers: closed)
    quarantined: int = 0  # failed validation
    chunks: int = 0
    seconds: int = 0
    resumed: bool = False  # continued a run cut short
    note: str = ""  # why the deletion step refused

    @property
    def repaired(self) -> int:
        return self.changed + self.missing + self.deleted

    def __str__(self) -> str:
        head = (
            f"{self.kind}: {self.compared} compared, {self.repaired} repaired ({self.changed} changed, {self.missing} missing, "
            f"{self.deleted} deleted), {self.quarantined} quarantined, {self.seconds} s"
            + (", resumed" if self.resumed else "")
        )
        return f"{head}; deletions REFUSED: {self.note}" if self.note else head


def changes_checkable(connector, kind: str) -> bool:
    """The connector can list ``kind``'s keys and read its rows by id."""
    from core.legacy.sync_jobs import offers

    return (
        kind in KINDS
        and offers(connector, kind)
        and reconcilable(connector, kind)
        and _fetcher(connector, kind) is not None
    )


def _fetcher(connector, kind: str):
    if kind == "customers":
        return getattr(connector, "customers_by_ids", None)
    return getattr(connector, f"{kind}_by_ids", None)


def _upserter(kind: str, secret: str):
    if kind == "customers":
        from core.legacy.customer_sync import SyncResult as CustomerCounts
        from core.legacy.customer_sync import upsert_function

        return upsert_function(secret, CustomerCounts())
    from core.legacy.billing_sync import upsert_bills, upsert_calls

    return upsert_bills if kind == "bills" else upsert_calls


def _id(record) -> str:
    """A record's legacy id as the validators key it."""
    return (getattr(record, "legacy_id", "") or "").strip() or "(none)"


async def legacy_prints(kind: str, records: list, secret: str) -> tuple[dict[str, tuple], dict[str, object]]:
    """(legacy_id -> fingerprint of the valid records, legacy_id -> record for the invalid ones)."""
    prints: dict[str, tuple] = {}
    invalid: dict[str, object] = {}
    if kind == "customers":
        from core.legacy.customer_sync import InvalidCustomer, _wanted_numbers, validate

        rows = []
        for record in records:
            try:
                rows.append(validate(record, secret))
            except InvalidCustomer as exc:
                invalid[exc.legacy_id] = record
        owned: dict[str, list[dict]] = {}
        for number, values in _wanted_numbers(rows).items():
            owned.setdefault(values["customer_legacy_id"], []).append({"number": number, **values})
        for row in rows:
            accounts = [fp.vars_of(a) for a in row.accounts]
            prints[row.legacy_id] = fp.customer_print(row.values, owned.get(row.legacy_id, []), accounts)
        return prints, invalid
    from core.legacy.billing_sync import prepare_bills, validate_call

    if kind == "bills":  # with the account each bill gets, as the sync stores it
        good, _accepted, rejected = await prepare_bills(records)
        prints = {values["legacy_id"]: fp.bill_print(values, items) for values, items in good}
        return prints, {r.legacy_id: r for r in rejected}
    for record in records:
        legacy_id = _id(record)
        try:
            prints[legacy_id] = fp.call_print(validate_call(record))
        except ValueError:
            invalid[legacy_id] = record
    return prints, invalid


async def _open_run(kind: str, now: dt.datetime) -> dict:
    """The kind's run cut short, to continue; else a new one."""
    run = (
        await ChangeReconcileRun.select()
        .where((ChangeReconcileRun.kind == kind) & ChangeReconcileRun.finished_at.is_null())
        .order_by(ChangeReconcileRun.id, ascending=False)
        .first()
    )
    if run is not None:
        return run
    rows = await ChangeReconcileRun.insert(ChangeReconcileRun(kind=kind, started_at=now, cursor="")).returning(
        *ChangeReconcileRun.all_columns()
    )
    return rows[0]


async def _compare_chunk(kind: str, ids: list[str], fetch, secret: str, pending: set[str], counts: dict) -> list:
    """The records of this chunk to write (differing, missing, newly invalid); adds to ``counts``."""
    records = await fetch(ids) if ids else []
    prints, invalid = await legacy_prints(kind, records, secret)
    held = await fp.HELD[kind](list(prints))
    counts["compared"] += len(prints) + len(invalid)
    write: set[str] = set()
    if fp.checksum(prints) != fp.checksum({i: held[i] for i in prints if i in held}) or len(held) != len(prints):
        for legacy_id, print_ in prints.items():
            old = held.get(legacy_id)
            if old != print_:
                counts["missing" if old is None else "changed"] += 1
                write.add(legacy_id)
    for legacy_id in invalid:
        counts["quarantined"] += 1
        if legacy_id not in pending:  # not known to the quarantine yet: the upsert puts it there
            write.add(legacy_id)
    return [r for r in records if _id(r) in write]


async def _walk(run: dict, connector, kind: str, secret: str, chunk: int) -> None:
    """Compare chunk after chunk from the run's cursor to the end of the listing, committing each with the cursor."""
    fetch, upsert = _fetcher(connector, kind), _upserter(kind, secret)
    pending = await open_quarantine(kind)
    cursor = run["cursor"]
    while True:
        began = time.monotonic()
        page = await connector.legacy_ids(kind, cursor, chunk)
        ids = list(dict.fromkeys(i for i in page.ids if i))
        counts = dict.fromkeys(COUNTERS, 0)
        write = await _compare_chunk(kind, ids, fetch, secret, pending, counts)
        counts["chunks"], counts["seconds"] = 1, round(time.monotonic() - began)
        async with transaction():
            if write:
                await apply_page(kind, write, upsert, pending, SyncResult(kind=kind), dt.datetime.now(dt.timezone.utc))
            await ChangeReconcileRun.update(
                {
                    ChangeReconcileRun.cursor: page.cursor,
                    **{getattr(ChangeReconcileRun, c): getattr(ChangeReconcileRun, c) + counts[c] for c in COUNTERS},
                }
            ).where(ChangeReconcileRun.id == run["id"])
        if not page.cursor:
            return
        if page.cursor == cursor:
            raise RuntimeError(f"connector listed {kind} ids without advancing its cursor")
        cursor = page.cursor


async def reconcile_changes(
    tenant: Tenant, connector, kind: str, *, secret: str, chunk: int = CHUNK, force: bool = False
) -> ChangeResult:
    """Compare every legacy ``kind`` row with the hall's copy and repair the differences; see the module docstring."""
    if not changes_checkable(connector, kind):
        raise ValueError(f"this tenant's connector cannot compare {kind} (it needs legacy_ids and {kind}_by_ids)")
    with tenant_scope(tenant):
        run = await _open_run(kind, dt.datetime.now(dt.timezone.utc))
        resumed = bool(run["cursor"]) or run["chunks"] > 0
        try:
            if not (
                run["chunks"] > 0 and run["cursor"] == ""
            ):  # the walk of a run cut short during its deletions is done
                await _walk(run, connector, kind, secret, chunk)
            deletions = await reconcile_kind(tenant, connector, kind, force=force)
        except Exception as exc:
            try:
                await ChangeReconcileRun.update(
                    {ChangeReconcileRun.note: scrub(f"failed: {type(exc).__name__}: {exc}")[:2000]}
                ).where(ChangeReconcileRun.id == run["id"])
            except Exception:  # the hall's database may be what failed: keep the original error
                log.exception("tenant %s: could not record the %s change reconciliation error", tenant.id, kind)
            raise
        now = dt.datetime.now(dt.timezone.utc)
        async with transaction():
            await ChangeReconcileRun.update(
                {
                    ChangeReconcileRun.finished_at: now,
                    ChangeReconcileRun.deleted: deletions.removed,
                    ChangeReconcileRun.note: deletions.refused,
                }
            ).where(ChangeReconcileRun.id == run["id"])
            done = await ChangeReconcileRun.select().where(ChangeReconcileRun.id == run["id"]).first()
            result = ChangeResult(
                kind,
                **{
                    c: done[c]
                    for c in ("compared", "changed", "missing", "deleted", "quarantined", "chunks", "seconds")
                },
                resumed=resumed,
                note=done["note"],
            )
            await SyncState.insert(
                SyncState(kind=kind, changes_checked_at=now, changes_repaired=result.repaired)
            ).on_conflict(
                target=(SyncState.tenant, SyncState.kind),
                action="DO UPDATE",
                values=[SyncState.changes_checked_at, SyncState.changes_repaired],
            )
            await bump_page_version()  # repaired rows and the "data as of" they vouch for are on customer pages
    (log.warning if result.repaired else log.info)("tenant %s: change reconciliation: %s", tenant.id, result)
    return result


async def last_runs(kinds=KINDS) -> dict[str, dict]:
    """kind -> the last finished run (current tenant), for the sync page."""
    out = {}
    for kind in kinds:
        row = (
            await ChangeReconcileRun.select()
            .where((ChangeReconcileRun.kind == kind) & ChangeReconcileRun.finished_at.is_not_null())
            .order_by(ChangeReconcileRun.finished_at, ascending=False)
            .first()
        )
        if row is not None:
            out[kind] = row
    return out
