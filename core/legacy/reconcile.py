"""Full reconciliation: rows deleted in the legacy system leave the hall too.

The incremental sync only sees rows that change; a row deleted upstream simply
stops appearing. So, periodically (a daily job, or ``hall sync --reconcile``),
the connector lists every legacy id it holds for a kind (:class:`LegacyIdSource`,
an optional port), and the hall removes its rows that were not listed:

- bills and their items, call records: deleted;
- customers: marked closed together with their service numbers and billing accounts - never deleted,
  since accounts, work orders and history hang off them.

Memory stays flat however many rows there are: the listing arrives in pages
and is staged in a scratch table (``ReconcileSeen``); the hall's rows are then
walked in id order, a chunk at a time, each checked against the scratch table
by an indexed ``IN`` look-up. Only hall rows that existed before the listing
began are candidates (``id <=`` the highest id at the start), so a row synced
while the listing runs is never mistaken for a deleted one. Call records are
only compared inside the connector's window (``IdPage.since``): older ones
are retention's business (core.legacy.retention), not "deleted upstream".

Safety valve: when a run would remove more than ``[legacy] reconcile_max_share``
of a kind's rows (default 5%), it removes nothing, records why in ``SyncState``
(shown on the operators' sync page) and says so - an empty legacy table handed
back by mistake must not wipe the hall. ``force=True`` (``--force``) overrides.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from core.auth.tables import BillingAccount, Customer, ServiceNumber
from core.db import transaction
from core.db.bulk import bulk_upsert
from core.legacy.billing_tables import Bill, BillItem, CallRecord, Quarantine
from core.legacy.settings import legacy_settings
from core.legacy.sync_engine import chunks
from core.legacy.tables import ReconcileSeen, SyncState
from core.privacy import scrub
from core.tenancy import Tenant, tenant_scope
from core.db.page_versions import bump_page_version

log = logging.getLogger("hall.legacy.reconcile")

KINDS = ("customers", "bills", "calls")
TABLES = {"customers": Customer, "bills": Bill, "calls": CallRecord}
WALK = 1000  # hall rows checked per step


@dataclass(frozen=True)
class IdPage:
    """One page of legacy ids of a kind, in any order the connector likes (each id once)."""

    ids: list[str]
    cursor: str  # hand back for the next page; "" = the listing is complete
    since: dt.datetime | None = None  # calls: the hall's records that started before this are outside the window


@runtime_checkable
class LegacyIdSource(Protocol):
    """Optional port: every legacy id that currently exists, per kind, for reconciliation."""

    def reconcilable_kinds(self) -> tuple[str, ...]:
        """The kinds :meth:`legacy_ids` can list (a subset of customers, bills, calls)."""
        ...

    async def legacy_ids(self, kind: str, cursor: str, limit: int) -> IdPage:
        """At most ``limit`` ids after ``cursor`` ("" = from the start); calls only within the sync window."""
        ...


def reconcilable(connector, kind: str) -> bool:
    return isinstance(connector, LegacyIdSource) and kind in connector.reconcilable_kinds()


@dataclass
class ReconcileResult:
    kind: str
    listed: int = 0  # ids the legacy system listed
    held: int = 0  # the hall's rows that were compared
    gone: int = 0  # of those, not listed upstream
    removed: int = 0  # deleted (customers: closed)
    refused: str = ""  # why nothing was removed, when the safety valve held

    def __str__(self) -> str:
        verb = "closed" if self.kind == "customers" else "removed"
        head = f"{self.kind}: {self.listed} listed upstream, {self.held} compared, {self.gone} gone upstream"
        return f"{head}; REFUSED: {self.refused}" if self.refused else f"{head}, {self.removed} {verb}"


def _candidates(kind: str, top: int, since: dt.datetime | None):
    table = TABLES[kind]
    where = table.id <= top
    if kind == "customers":
        where &= Customer.status != "closed"
    if kind == "calls" and since is not None:
        where &= CallRecord.started_at >= since
    return table, where


async def _walk(kind: str, top: int, since: dt.datetime | None):
    """Yield the candidates not listed upstream, a chunk (list of legacy ids) at a time."""
    table, where = _candidates(kind, top, since)
    last = 0
    while True:
        rows = (
            await table.select(table.id, table.legacy_id)
            .where(where & (table.id > last))
            .order_by(table.id)
            .limit(WALK)
        )
        if not rows:
            return
        last = rows[-1]["id"]
        ids = [r["legacy_id"] for r in rows]
        seen = {
            r["legacy_id"]
            for r in await ReconcileSeen.select(ReconcileSeen.legacy_id).where(
                (ReconcileSeen.kind == kind) & ReconcileSeen.legacy_id.is_in(ids)
            )
        }
        yield len(rows), [i for i in ids if i not in seen]


async def _remove(kind: str, gone: list[str], now: dt.datetime) -> None:
    if kind == "customers":
        await Customer.update({Customer.status: "closed", Customer.synced_at: now}).where(
            Customer.legacy_id.is_in(gone)
        )
        await ServiceNumber.update({ServiceNumber.status: "closed", ServiceNumber.synced_at: now}).where(
            ServiceNumber.customer_legacy_id.is_in(gone) & (ServiceNumber.status != "closed")
        )
        await BillingAccount.update({BillingAccount.status: "closed", BillingAccount.synced_at: now}).where(
            BillingAccount.customer_legacy_id.is_in(gone) & (BillingAccount.status != "closed")
        )
    elif kind == "bills":
        await BillItem.delete().where(BillItem.bill_legacy_id.is_in(gone))
        await Bill.delete().where(Bill.legacy_id.is_in(gone))
    else:
        await CallRecord.delete().where(CallRecord.legacy_id.is_in(gone))
    await bump_page_version()  # removed rows leave customer pages (core.web.pagecache)


async def _list(connector, kind: str, page_size: int, result: ReconcileResult) -> dt.datetime | None:
    """Stage every listed id in the scratch table; returns the window start of the first page."""
    cursor, since, first = "", None, True
    while True:
        page = await connector.legacy_ids(kind, cursor, page_size)
        if first:
            since, first = page.since, False
        ids = list(dict.fromkeys(i for i in page.ids if i))
        async with transaction():
            await bulk_upsert(
                ReconcileSeen,
                ("kind", "legacy_id"),
                [(kind, i[:80]) for i in ids],
                key=("kind", "legacy_id"),
                update=(),
            )
        result.listed += len(ids)
        if not page.cursor:
            return since
        if page.cursor == cursor:
            raise RuntimeError(f"connector listed {kind} ids without advancing its cursor")
        cursor = page.cursor


async def _resolve_quarantine(kind: str, now: dt.datetime) -> None:
    """Quarantined rows deleted upstream can never be fixed: mark them resolved."""
    open_ids = [
        r["legacy_id"]
        for r in await Quarantine.select(Quarantine.legacy_id).where(
            (Quarantine.kind == kind) & Quarantine.resolved_at.is_null()
        )
    ]
    for part in chunks(open_ids):
        seen = {
            r["legacy_id"]
            for r in await ReconcileSeen.select(ReconcileSeen.legacy_id).where(
                (ReconcileSeen.kind == kind) & ReconcileSeen.legacy_id.is_in(part)
            )
        }
        gone = [i for i in part if i not in seen]
        if gone:
            await Quarantine.update({Quarantine.resolved_at: now}).where(
                (Quarantine.kind == kind) & Quarantine.legacy_id.is_in(gone) & Quarantine.resolved_at.is_null()
            )


async def _record(kind: str, **values) -> None:
    fields = [getattr(SyncState, k) for k in values]
    await SyncState.insert(SyncState(kind=kind, **values)).on_conflict(
        target=(SyncState.tenant, SyncState.kind), action="DO UPDATE", values=fields
    )
    await bump_page_version()


async def reconcile_kind(
    tenant: Tenant, connector, kind: str, *, force: bool = False, page_size: int = 5000, max_share: float | None = None
) -> ReconcileResult:
    """Remove (customers: close) the hall's ``kind`` rows the legacy system no longer has; see the module docstring."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (have: {', '.join(KINDS)})")
    share = max_share if max_share is not None else legacy_settings(tenant).reconcile_max_share
    result = ReconcileResult(kind)
    table = TABLES[kind]
    with tenant_scope(tenant):
        top_row = await table.select(table.id).order_by(table.id, ascending=False).first()
        top = top_row["id"] if top_row else 0
        await ReconcileSeen.delete().where(ReconcileSeen.kind == kind)
        try:
            since = await _list(connector, kind, page_size, result)
            async for held, gone in _walk(kind, top, since):
                result.held += held
                result.gone += len(gone)
            now = dt.datetime.now(dt.timezone.utc)
            if result.held and result.gone / result.held > share and not force:
                result.refused = (
                    f"would remove {result.gone} of {result.held} {kind} ({result.gone / result.held:.1%}), "
                    f"more than the {share:.0%} allowed; check the legacy system, then run "
                    f"`hall sync --reconcile --kind {kind} --tenant {tenant.id} --force`"
                )
                await _record(kind, reconcile_note=result.refused)
                log.warning("tenant %s: reconciliation refused: %s", tenant.id, result.refused)
                return result
            async for _held, gone in _walk(kind, top, since):
                for part in chunks(gone):
                    async with transaction():
                        await _remove(kind, part, now)
                    result.removed += len(part)
            await _resolve_quarantine(kind, now)
            await _record(kind, reconciled_at=now, reconcile_removed=result.removed, reconcile_note="")
        except Exception as exc:
            try:
                await _record(kind, reconcile_note=scrub(f"failed: {type(exc).__name__}: {exc}")[:2000])
            except Exception:  # the hall's database may be what failed: keep the original error
                log.exception("tenant %s: could not record the %s reconciliation error", tenant.id, kind)
            raise
        finally:
            await ReconcileSeen.delete().where(ReconcileSeen.kind == kind)
    log.info("tenant %s: reconciliation: %s", tenant.id, result)
    return result
