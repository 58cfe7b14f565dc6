"""Customer sync: the legacy system's customers and service numbers, mirrored into the hall's customer master.

The "DB agent" flow of DESIGN.md §3.2 for customers. The connector hands out
pages of changed customers with an opaque watermark; each page is applied in
ONE transaction together with the advanced watermark (``SyncState``), so a
crash loses nothing and repeats nothing: the next run starts after the last
committed page, and upserts on the unique keys ``(tenant, legacy_id)`` and
``(tenant, number)`` make a repeated page harmless anyway.

Rows are compared with what the hall holds and only new or different ones are
written, so a re-run (even ``full=True``) changes nothing - not even
``synced_at`` - and the counts say what really changed.

ID numbers never reach the hall's tables: a keyed hash (for matching at
sign-up) and a masked form (for display) are stored instead. A customer that
fails validation is not dropped silently: it is returned in
``SyncResult.rejected`` with its legacy id and a reason (ID numbers masked) and
logged; a quarantine table comes later. The watermark still moves past it -
the legacy record is re-read when it changes again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from stdnum.cn import ric

from core.auth.tables import Customer, ServiceNumber
from core.db import transaction
from core.legacy.ports import CustomerSource, LegacyCustomer, LegacyServiceNumber
from core.legacy.tables import SyncState
from core.privacy import id_hash, mask_id, scrub
from core.tenancy import Tenant, tenant_scope

log = logging.getLogger("hall.legacy.sync")

KIND = "customers"
STATUSES = ("active", "suspended", "closed")
LINE_KINDS = ("phone", "account", "broadband")
CHUNK = 250  # rows per statement: far below SQLite's and PostgreSQL's bind-parameter limits
CUSTOMER_FIELDS = ("name", "id_hash", "id_masked", "email", "phone", "address", "status")
NUMBER_FIELDS = ("customer_legacy_id", "kind", "status")


@dataclass(frozen=True)
class Rejected:
    legacy_id: str
    reason: str  # never contains a full ID number


@dataclass
class SyncResult:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    numbers_created: int = 0
    numbers_updated: int = 0
    numbers_removed: int = 0
    batches: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    watermark: str = ""

    @property
    def written(self) -> int:
        """Rows the hall actually changed (0 on an idempotent re-run)."""
        return self.created + self.updated + self.numbers_created + self.numbers_updated + self.numbers_removed


class InvalidCustomer(ValueError):
    def __init__(self, legacy_id: str, reason: str):
        self.legacy_id, self.reason = legacy_id, reason
        super().__init__(f"customer {legacy_id!r}: {reason}")


@dataclass(frozen=True)
class _Row:
    """A validated customer in the hall's shape."""

    legacy_id: str
    values: dict
    numbers: tuple[LegacyServiceNumber, ...]


def _limit(label: str, value: str, size: int) -> str:
    if len(value) > size:
        raise ValueError(f"{label} is longer than {size} characters")
    return value


def validate(customer: LegacyCustomer, secret: str) -> _Row:
    """The hall's row for ``customer``; InvalidCustomer (reason with the ID number masked) when it cannot be used."""
    legacy_id = (customer.legacy_id or "").strip()
    try:
        if not legacy_id:
            raise ValueError("empty legacy id")
        _limit("legacy id", legacy_id, 64)
        name = _limit("name", (customer.name or "").strip(), 100)
        if not name:
            raise ValueError("empty name")
        raw = (customer.id_number or "").strip()
        try:
            hashed = id_hash(secret, raw)  # validates (GB 11643) and normalises: stdnum's check is the slow part, run it once
        except ValueError as exc:
            raise ValueError(f"invalid ID number {mask_id(raw) or '(empty)'}: {exc}") from None
        if customer.status not in STATUSES:
            raise ValueError(f"status {customer.status!r} is not one of {', '.join(STATUSES)} (map it in the connector)")
        lines: dict[str, LegacyServiceNumber] = {}
        for line in customer.numbers:
            n = _limit("service number", (line.number or "").strip(), 32)
            if not n:
                raise ValueError("empty service number")
            if line.kind not in LINE_KINDS:
                raise ValueError(f"number {n}: kind {line.kind!r} is not one of {', '.join(LINE_KINDS)} (map it in the connector)")
            if line.status not in STATUSES:
                raise ValueError(f"number {n}: status {line.status!r} is not one of {', '.join(STATUSES)} (map it in the connector)")
            lines[n] = LegacyServiceNumber(n, line.kind, line.status)
        values = dict(
            name=name, id_hash=hashed, id_masked=mask_id(ric.compact(raw)),
            email=_limit("e-mail", (customer.email or "").strip(), 254),
            phone=_limit("phone", (customer.phone or "").strip(), 32),
            address=(customer.address or "").strip(), status=customer.status,
        )
    except ValueError as exc:
        raise InvalidCustomer(legacy_id or "(none)", scrub(str(exc))) from None
    return _Row(legacy_id, values, tuple(lines.values()))


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


async def _select_in(table, columns, column, values: list) -> list[dict]:
    rows: list[dict] = []
    for part in _chunks(values):
        rows += await table.select(*columns).where(column.is_in(part))
    return rows


async def _write_customers(rows: list[_Row], now: dt.datetime, result: SyncResult) -> None:
    existing = {r["legacy_id"]: r for r in await _select_in(
        Customer, [Customer.legacy_id, *(getattr(Customer, f) for f in CUSTOMER_FIELDS)], Customer.legacy_id, [r.legacy_id for r in rows])}
    changed = []
    for row in rows:
        old = existing.get(row.legacy_id)
        if old is None:
            result.created += 1
        elif any(old[f] != row.values[f] for f in CUSTOMER_FIELDS):
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        changed.append(Customer(legacy_id=row.legacy_id, synced_at=now, **row.values))
    update = [getattr(Customer, f) for f in CUSTOMER_FIELDS] + [Customer.synced_at]
    for part in _chunks(changed):
        await Customer.insert(*part).on_conflict(target=(Customer.tenant, Customer.legacy_id), action="DO UPDATE", values=update)


def _wanted_numbers(rows: list[_Row]) -> dict[str, dict]:
    """number -> owner and attributes; a number listed twice (legacy data) goes to its active owner."""
    wanted: dict[str, dict] = {}
    for row in rows:
        for line in row.numbers:
            prior = wanted.get(line.number)
            if prior is None or prior["status"] != "active" or line.status == "active":
                wanted[line.number] = {"customer_legacy_id": row.legacy_id, "kind": line.kind, "status": line.status}
    return wanted


async def _write_numbers(rows: list[_Row], now: dt.datetime, result: SyncResult) -> None:
    """Make the hall's numbers of these customers exactly the legacy ones: upsert new/changed, delete vanished."""
    wanted = _wanted_numbers(rows)
    columns = [ServiceNumber.number, *(getattr(ServiceNumber, f) for f in NUMBER_FIELDS)]
    existing = {r["number"]: r for r in await _select_in(ServiceNumber, columns, ServiceNumber.number, list(wanted))}
    owners = {row.legacy_id for row in rows}
    for r in await _select_in(ServiceNumber, columns, ServiceNumber.customer_legacy_id, list(owners)):
        existing.setdefault(r["number"], r)
    vanished = [n for n, r in existing.items() if r["customer_legacy_id"] in owners and n not in wanted]
    for part in _chunks(vanished):
        await ServiceNumber.delete().where(ServiceNumber.number.is_in(part))
    result.numbers_removed += len(vanished)
    changed = []
    for number, values in wanted.items():
        old = existing.get(number)
        if old is None:
            result.numbers_created += 1
        elif any(old[f] != values[f] for f in NUMBER_FIELDS):
            result.numbers_updated += 1
        else:
            continue
        changed.append(ServiceNumber(number=number, synced_at=now, **values))
    update = [getattr(ServiceNumber, f) for f in NUMBER_FIELDS] + [ServiceNumber.synced_at]
    for part in _chunks(changed):
        await ServiceNumber.insert(*part).on_conflict(target=(ServiceNumber.tenant, ServiceNumber.number), action="DO UPDATE", values=update)


async def _save_state(**values) -> None:
    fields = [getattr(SyncState, k) for k in values]
    await SyncState.insert(SyncState(kind=KIND, **values)).on_conflict(
        target=(SyncState.tenant, SyncState.kind), action="DO UPDATE", values=fields)


def _accept(customers: list[LegacyCustomer], secret: str, tenant: Tenant, result: SyncResult) -> list[_Row]:
    rows = []
    for customer in customers:
        try:
            rows.append(validate(customer, secret))
        except InvalidCustomer as exc:
            result.rejected.append(Rejected(exc.legacy_id, exc.reason))
            log.warning("tenant %s: legacy customer %s rejected: %s", tenant.id, exc.legacy_id, scrub(exc.reason))
    return rows


async def sync_customers(tenant: Tenant, connector: CustomerSource, *, secret: str, batch_size: int = 500,
                         full: bool = False) -> SyncResult:
    """Bring the hall's customers up to date with the legacy system (from the start when ``full``)."""
    result = SyncResult()
    with tenant_scope(tenant):
        state = await SyncState.select(SyncState.watermark, SyncState.rows_total).where(SyncState.kind == KIND).first()
        watermark = "" if full or state is None else state["watermark"]
        total = state["rows_total"] if state else 0
        started = dt.datetime.now(dt.timezone.utc)
        try:
            while True:
                batch = await connector.customers_changed_since(watermark, batch_size)
                if not batch.customers:
                    break
                if batch.watermark == watermark:
                    raise RuntimeError(f"connector returned {len(batch.customers)} customers without advancing the watermark")
                now = dt.datetime.now(dt.timezone.utc)
                rows = _accept(batch.customers, secret, tenant, result)
                async with transaction():
                    await _write_customers(rows, now, result)
                    await _write_numbers(rows, now, result)
                    result.fetched += len(batch.customers)
                    await _save_state(watermark=batch.watermark, last_run_at=started, rows_last_run=result.fetched,
                                      rows_total=total + result.fetched, last_error="")
                watermark = result.watermark = batch.watermark
                result.batches += 1
        except Exception as exc:
            try:
                await _save_state(last_run_at=started, last_error=scrub(f"{type(exc).__name__}: {exc}")[:2000])
            except Exception:  # the hall's database may be what failed: keep the original error
                log.exception("tenant %s: could not record the sync error", tenant.id)
            raise
        result.watermark = watermark
        await _save_state(watermark=watermark, last_run_at=started, last_success_at=dt.datetime.now(dt.timezone.utc),
                          rows_last_run=result.fetched, rows_total=total + result.fetched, last_error="")
    log.info("tenant %s: customer sync: %d fetched, %d created, %d updated, %d rejected in %d batches",
             tenant.id, result.fetched, result.created, result.updated, len(result.rejected), result.batches)
    return result


async def upsert_customer(tenant: Tenant, customer: LegacyCustomer, *, secret: str) -> str:
    """Write one customer fetched live (sign-up met a number not synced yet); "created" | "updated" | "unchanged".

    Raises InvalidCustomer when the record cannot be used. Leaves the watermark
    alone: the next sync re-reads the row, harmlessly.
    """
    row = validate(customer, secret)
    result = SyncResult()
    now = dt.datetime.now(dt.timezone.utc)
    with tenant_scope(tenant):
        async with transaction():
            await _write_customers([row], now, result)
            await _write_numbers([row], now, result)
    return "created" if result.created else "updated" if result.updated or result.written else "unchanged"


async def fetch_customer_by_number(tenant: Tenant, connector: CustomerSource, number: str, *, secret: str) -> LegacyCustomer | None:
    """Live look-up of ``number`` in the legacy system, stored in the hall when found; None when unknown there."""
    customer = await connector.customer_by_number(number)
    if customer is not None:
        await upsert_customer(tenant, customer, secret=secret)
    return customer
