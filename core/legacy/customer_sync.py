"""Customer sync: the legacy system's customers, service numbers and billing accounts, mirrored into the hall's customer master.

The "DB agent" flow of DESIGN.md §3.2 for customers, on the generic engine
(:func:`core.legacy.sync_engine.sync_kind`): the connector hands out pages of
changed customers with an opaque watermark; each page is applied in ONE
transaction together with the advanced watermark (``SyncState``), so a crash
loses nothing and repeats nothing, and upserts on the unique keys
``(tenant, legacy_id)`` and ``(tenant, number)`` make a repeated page harmless.
A customer's billing accounts go in the same transaction (core.legacy.account_sync).

Rows are compared with what the hall holds and only new or different ones are
written, so a re-run (even ``full=True``) changes nothing - not even
``synced_at`` - and the counts say what really changed.

ID numbers never reach the hall's tables: a keyed hash (for matching at
sign-up) and a masked form (for display) are stored instead. A customer that
fails validation lands in the engine's ``Quarantine`` with its reason and a
sample, ID number masked, shown to operators on the sync page; the watermark
moves past it, and it is validated again when the legacy row changes or when an
operator retries (:func:`retry_customers`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from dataclasses import dataclass, field

from core.auth.tables import Customer, ServiceNumber
from core.db import transaction
from core.legacy.account_sync import AccountRow, account_id, validate_accounts, write_accounts
from core.legacy.billing_tables import Quarantine
from core.legacy.ports import CustomerSource, LegacyCustomer, LegacyServiceNumber
from core.legacy.sync_engine import Outcome, Rejected, masked_sample, retry_kind, sync_kind
from core.privacy import id_hash, mask_id, normalise_id_number, scrub
from core.tenancy import Tenant, tenant_scope

log = logging.getLogger("hall.legacy.sync")

KIND = "customers"
STATUSES = ("active", "suspended", "closed")
LINE_KINDS = ("phone", "account", "broadband")
CHUNK = 250  # rows per statement: far below SQLite's and PostgreSQL's bind-parameter limits
CUSTOMER_FIELDS = ("name", "id_hash", "id_masked", "email", "phone", "address", "status")
NUMBER_FIELDS = ("customer_legacy_id", "kind", "status", "account_legacy_id")


@dataclass
class SyncResult:
    """What a customer sync did: the engine's counts plus what really changed in the customer master."""

    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    numbers_created: int = 0
    numbers_updated: int = 0
    numbers_removed: int = 0
    accounts_created: int = 0
    accounts_updated: int = 0
    accounts_removed: int = 0
    batches: int = 0
    rejected: list[Rejected] = field(default_factory=list)  # reasons never contain a full ID number
    watermark: str = ""
    quarantined: int = 0
    resolved: int = 0  # quarantined customers accepted this time
    reread: int = 0  # customers the look-back read again (core.legacy.look_back)

    @property
    def new(self) -> int:
        """Customers read after the stored watermark (what a sync without look-back would have read)."""
        return self.fetched - self.reread

    @property
    def written(self) -> int:
        """Rows the hall actually changed (0 on an idempotent re-run)."""
        numbers = self.numbers_created + self.numbers_updated + self.numbers_removed
        accounts = self.accounts_created + self.accounts_updated + self.accounts_removed
        return self.created + self.updated + numbers + accounts


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
    accounts: tuple[AccountRow, ...] = ()  # handed by the connector, or derived from the numbers' account


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
            id_number = normalise_id_number(raw)  # GB 11643; a 15-digit number becomes its 18-digit form
        except ValueError as exc:
            raise ValueError(f"invalid ID number {mask_id(raw) or '(empty)'}: {exc}") from None
        hashed = id_hash(secret, id_number)
        if customer.status not in STATUSES:
            raise ValueError(
                f"status {customer.status!r} is not one of {', '.join(STATUSES)} (map it in the connector)"
            )
        lines: dict[str, LegacyServiceNumber] = {}
        for line in customer.numbers:
            n = _limit("service number", (line.number or "").strip(), 32)
            if not n:
                raise ValueError("empty service number")
            if line.kind not in LINE_KINDS:
                raise ValueError(
                    f"number {n}: kind {line.kind!r} is not one of {', '.join(LINE_KINDS)} (map it in the connector)"
                )
            if line.status not in STATUSES:
                raise ValueError(
                    f"number {n}: status {line.status!r} is not one of {', '.join(STATUSES)} (map it in the connector)"
                )
            lines[n] = LegacyServiceNumber(n, line.kind, line.status, account_id(n, line.account))
        accounts = validate_accounts(legacy_id, name, customer.accounts, list(lines.values()))
        values = dict(
            name=name,
            id_hash=hashed,
            id_masked=mask_id(id_number),
            email=_limit("e-mail", (customer.email or "").strip(), 254),
            phone=_limit("phone", (customer.phone or "").strip(), 32),
            address=(customer.address or "").strip(),
            status=customer.status,
        )
    except ValueError as exc:
        raise InvalidCustomer(legacy_id or "(none)", scrub(str(exc))) from None
    return _Row(legacy_id, values, tuple(lines.values()), accounts)


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


async def _select_in(table, columns, column, values: list) -> list[dict]:
    rows: list[dict] = []
    for part in _chunks(values):
        rows += await table.select(*columns).where(column.is_in(part))
    return rows


async def _write_customers(rows: list[_Row], now: dt.datetime, result: SyncResult) -> None:
    existing = {
        r["legacy_id"]: r
        for r in await _select_in(
            Customer,
            [Customer.legacy_id, *(getattr(Customer, f) for f in CUSTOMER_FIELDS)],
            Customer.legacy_id,
            [r.legacy_id for r in rows],
        )
    }
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
        await Customer.insert(*part).on_conflict(
            target=(Customer.tenant, Customer.legacy_id), action="DO UPDATE", values=update
        )


def _wanted_numbers(rows: list[_Row]) -> dict[str, dict]:
    """number -> owner and attributes; a number listed twice (legacy data) goes to its active owner."""
    wanted: dict[str, dict] = {}
    for row in rows:
        for line in row.numbers:
            prior = wanted.get(line.number)
            if prior is None or prior["status"] != "active" or line.status == "active":
                wanted[line.number] = {
                    "customer_legacy_id": row.legacy_id,
                    "kind": line.kind,
                    "status": line.status,
                    "account_legacy_id": line.account,
                }
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
        await ServiceNumber.insert(*part).on_conflict(
            target=(ServiceNumber.tenant, ServiceNumber.number), action="DO UPDATE", values=update
        )


async def _write_accounts(rows: list[_Row], now: dt.datetime, result: SyncResult) -> None:
    counts = await write_accounts({row.legacy_id: row.accounts for row in rows}, now)
    result.accounts_created += counts.created
    result.accounts_updated += counts.updated
    result.accounts_removed += counts.removed


def sample_of(customer: LegacyCustomer) -> dict:
    """The record as the quarantine keeps it: the ID number masked even when it is not a valid one."""
    return masked_sample(dataclasses.replace(customer, id_number=mask_id((customer.id_number or "").strip())))


def _accept(customers: list[LegacyCustomer], secret: str) -> tuple[list[_Row], list[str], list[Rejected]]:
    rows, rejected = [], []
    for customer in customers:
        try:
            rows.append(validate(customer, secret))
        except InvalidCustomer as exc:
            rejected.append(Rejected(exc.legacy_id, exc.reason, sample_of(customer)))
    return rows, [r.legacy_id for r in rows], rejected


def upsert_function(secret: str, counts: SyncResult):
    """The engine's ``upsert_fn`` for customers; what it changes is added up in ``counts``."""

    async def upsert(customers: list[LegacyCustomer], now: dt.datetime) -> Outcome:
        rows, accepted, rejected = _accept(customers, secret)
        before = counts.written
        await _write_customers(rows, now, counts)
        await _write_numbers(rows, now, counts)
        await _write_accounts(rows, now, counts)
        return Outcome(written=counts.written - before, accepted=accepted, rejected=rejected)

    return upsert


def _merge(counts: SyncResult, engine) -> SyncResult:
    counts.fetched, counts.batches, counts.watermark = engine.fetched, engine.batches, engine.watermark
    counts.rejected, counts.quarantined, counts.resolved = engine.rejected, engine.quarantined, engine.resolved
    counts.reread = engine.reread
    return counts


async def sync_customers(
    tenant: Tenant, connector: CustomerSource, *, secret: str, batch_size: int = 500, full: bool = False
) -> SyncResult:
    """Bring the hall's customers up to date with the legacy system (from the start when ``full``)."""

    async def source(watermark: str, limit: int):
        batch = await connector.customers_changed_since(watermark, limit)
        return batch.customers, batch.watermark

    from core.legacy.look_back import look_back_for

    counts = SyncResult()
    result = _merge(
        counts,
        await sync_kind(
            tenant,
            source,
            upsert_function(secret, counts),
            KIND,
            batch_size=batch_size,
            full=full,
            look_back=look_back_for(tenant, connector, KIND),
        ),
    )
    log.info(
        "tenant %s: customer sync: %d fetched (%d re-read by the look-back), %d created, %d updated, %d quarantined in %d batches",
        tenant.id,
        result.fetched,
        result.reread,
        result.created,
        result.updated,
        result.quarantined,
        result.batches,
    )
    return result


def fetch_function(connector: CustomerSource):
    """``fetch_fn(legacy_ids)`` for quarantine retries.

    ``customers_by_ids`` when the connector offers it (sqlbss does: one keyed read).
    It is not part of ``CustomerSource`` because a runtime-checkable protocol would
    then disown every connector without it; those are re-read through the
    ``customer_by_number`` look-up they must have anyway, using the service
    numbers kept in the quarantined sample - a customer with no number cannot be
    re-read that way and stays quarantined until it changes upstream.
    """
    by_ids = getattr(connector, "customers_by_ids", None)
    if by_ids is not None:
        return by_ids

    async def by_numbers(legacy_ids: list[str]) -> list[LegacyCustomer]:
        found: dict[str, LegacyCustomer] = {}
        rows = await Quarantine.select(Quarantine.legacy_id, Quarantine.sample).where(
            (Quarantine.kind == KIND) & Quarantine.legacy_id.is_in(legacy_ids)
        )
        for row in rows:
            sample = json.loads(row["sample"]) if isinstance(row["sample"], str) else row["sample"] or {}
            for line in sample.get("numbers") or []:
                customer = await connector.customer_by_number(str(line.get("number", "")))
                if customer is not None and customer.legacy_id == row["legacy_id"]:
                    found[customer.legacy_id] = customer
                    break
        return list(found.values())

    return by_numbers


async def retry_customers(tenant: Tenant, connector: CustomerSource, *, secret: str) -> SyncResult:
    """Re-read every open quarantined customer from the legacy system and validate it again."""
    counts = SyncResult()
    return _merge(counts, await retry_kind(tenant, fetch_function(connector), upsert_function(secret, counts), KIND))


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
            await _write_accounts([row], now, result)
    return "created" if result.created else "updated" if result.updated or result.written else "unchanged"


async def fetch_customer_by_number(
    tenant: Tenant, connector: CustomerSource, number: str, *, secret: str
) -> LegacyCustomer | None:
    """Live look-up of ``number`` in the legacy system, stored in the hall when found; None when unknown there."""
    customer = await connector.customer_by_number(number)
    if customer is not None:
        await upsert_customer(tenant, customer, secret=secret)
    return customer
