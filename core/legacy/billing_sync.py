"""Bills (with line items) and call-detail records: validation and bulk upserts for the sync engine.

Each kind is a validator plus an ``upsert_fn`` for :func:`core.legacy.sync_engine.sync_kind`.
Rows go in with Piccolo's ``insert(*rows).on_conflict(...)``, many rows per
statement, on the unique index ``(tenant, legacy_id)``. A bill's items are made
exactly the legacy ones: upserted on ``(tenant, legacy_id)`` (``<bill>/<position>``),
and items the bill no longer has are deleted - all in the page's transaction.
"""

from __future__ import annotations

import datetime as dt
import re

from core.db.bulk import analyze, bulk_upsert
from core.legacy.agent import AdaptiveSource
from core.legacy.bill_accounts import settle_bill_accounts
from core.legacy.billing_tables import Bill, BillItem, CallRecord
from core.legacy.fingerprints import bill_print, held_bills
from core.legacy.look_back import look_back_for
from core.legacy.ports import BillingSource, CallRecordSource, LegacyBill, LegacyCallRecord
from core.legacy.sync_engine import Outcome, Rejected, SyncResult, chunks, masked_sample, retry_kind, sync_kind
from core.privacy import scrub
from core.tenancy import Tenant

BILL_STATUSES = ("unpaid", "partial", "paid")
CALL_TYPES = ("local", "long_distance", "international", "roaming", "data", "sms")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PARAMS = 30000  # bind parameters per statement: under SQLite's (32766) and PostgreSQL's (32767) limits
BILL_FIELDS = (
    "number",
    "month",
    "amount_fen",
    "paid_fen",
    "status",
    "due_date",
    "changed_at",
    "synced_at",
    "account_legacy_id",
)
ITEM_FIELDS = ("bill_legacy_id", "position", "code", "name", "amount_fen", "number")
CALL_FIELDS = ("number", "started_at", "duration_s", "called_number", "call_type", "charge_fen")
CALL_COLUMNS = ("legacy_id", *CALL_FIELDS)
CALL_TYPE_SET = frozenset(CALL_TYPES)
BIG_PAGE = 5_000  # pages this big mean a big load (see sync_billing)
COMMIT_ROWS = 50_000  # rows per transaction in a big load (several pages): see sync_kind
ANALYZE_AFTER = 50_000  # rows written in one run after which the planner's statistics are refreshed


def _text(label: str, value, size: int, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise ValueError(f"empty {label}")
    if len(text) > size:
        raise ValueError(f"{label} {text[:size]!r}… is longer than {size} characters")
    return text


def _fen(label: str, value, *, negative: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{label} {value!r} is not a whole number of fen")
    if value < 0 and not negative:
        raise ValueError(f"{label} {value} fen is negative")
    return value


def validate_bill(bill: LegacyBill) -> tuple[dict, list[dict]]:
    """(bill values, item values) in the hall's shape; ValueError naming what is wrong."""
    if bill.problem:
        raise ValueError(bill.problem)
    legacy_id = _text("legacy id", bill.legacy_id, 64)
    month = _text("month", bill.month, 7)
    if not MONTH.match(month):
        raise ValueError(f"month {month!r} is not YYYY-MM")
    if bill.status not in BILL_STATUSES:
        raise ValueError(f"status {bill.status!r} is not one of {', '.join(BILL_STATUSES)} (map it in the connector)")
    if bill.changed_at is not None and bill.changed_at.tzinfo is None:
        raise ValueError("change time has no time zone")
    number = _text("number", bill.number, 32, required=False)
    account = _text("account", bill.account, 64, required=False)
    if not number and not account:
        raise ValueError("empty number and no account: a bill is of a number or of an account")
    values = dict(
        legacy_id=legacy_id,
        number=number,
        account_legacy_id=account,
        month=month,
        amount_fen=_fen("amount", bill.amount_fen, negative=True),
        paid_fen=_fen("paid", bill.paid_fen, negative=True),
        status=bill.status,
        due_date=bill.due_date,
        changed_at=bill.changed_at,
    )
    items = [
        dict(
            legacy_id=f"{legacy_id}/{n}",
            bill_legacy_id=legacy_id,
            position=n,
            code=_text("item code", item.code, 32, required=False),
            name=_text("item name", item.name, 100, required=False),
            amount_fen=_fen(f"item {n} amount", item.amount_fen, negative=True),
            number=_text(f"item {n} number", item.number, 32, required=False),
        )
        for n, item in enumerate(bill.items, 1)
    ]
    return values, items


def call_row(call: LegacyCallRecord) -> tuple:
    """The record as a row of ``CALL_COLUMNS``; ValueError naming what is wrong.

    The common case (plain text and integers) is checked inline - this runs a
    million times a sync - and anything unusual goes through ``_text``/``_fen``
    for the same checks and messages as bills.
    """
    legacy_id, number, started, duration, called, call_type, charge, problem = call
    if problem:
        raise ValueError(problem)
    if call_type not in CALL_TYPE_SET:
        raise ValueError(f"call type {call_type!r} is not one of {', '.join(CALL_TYPES)} (map it in the connector)")
    if type(started) is not dt.datetime or started.tzinfo is None:
        if not isinstance(started, dt.datetime) or started.tzinfo is None:
            raise ValueError(f"start time {started!r} is not a time with a zone")
    if type(duration) is not int or duration < 0:
        if isinstance(duration, bool) or not isinstance(duration, int) or duration < 0:
            raise ValueError(f"duration {duration!r} is not a whole number of seconds >= 0")
    if not (type(legacy_id) is str and 0 < len(legacy_id) <= 64 and legacy_id == legacy_id.strip()):
        legacy_id = _text("legacy id", legacy_id, 64)
    if not (type(number) is str and 0 < len(number) <= 32 and number == number.strip()):
        number = _text("number", number, 32)
    if not (type(called) is str and len(called) <= 32 and called == called.strip()):
        called = _text("called number", called, 32, required=False)
    if type(charge) is not int or charge < 0:
        charge = _fen("charge", charge)
    return legacy_id, number, started, duration, called, call_type, charge


def validate_call(call: LegacyCallRecord) -> dict:
    """The record in the hall's shape (a dict of ``CALL_COLUMNS``); ValueError naming what is wrong."""
    return dict(zip(CALL_COLUMNS, call_row(call)))


def _accept(records: list, check) -> tuple[list, list[str], list[Rejected]]:
    good, accepted, rejected = [], [], []
    for record in records:
        legacy_id = (getattr(record, "legacy_id", "") or "").strip() or "(none)"
        try:
            good.append(check(record))
            accepted.append(legacy_id)
        except ValueError as exc:
            rejected.append(Rejected(legacy_id, scrub(str(exc)), masked_sample(record)))
    return good, accepted, rejected


async def _upsert(table, rows: list[dict], fields: tuple[str, ...]) -> None:
    if not rows:
        return
    rows = list({r["legacy_id"]: r for r in rows}.values())  # one row per key: PostgreSQL refuses to update a row twice
    per_statement = max(1, PARAMS // (len(fields) + 3))
    update = [getattr(table, f) for f in fields]
    for part in chunks(rows, per_statement):
        await table.insert(*(table(**r) for r in part)).on_conflict(
            target=(table.tenant, table.legacy_id), action="DO UPDATE", values=update
        )


async def prepare_bills(records: list[LegacyBill]) -> tuple[list[tuple[dict, list[dict]]], list[str], list[Rejected]]:
    """(values and items of the usable bills, their ids, the rejected ones): validated, each with its account."""
    checked, rejected = [], []
    for record in records:
        try:
            values, items = validate_bill(record)
        except ValueError as exc:
            legacy_id = (getattr(record, "legacy_id", "") or "").strip() or "(none)"
            rejected.append(Rejected(legacy_id, scrub(str(exc)), masked_sample(record)))
            continue
        checked.append((values, items, record))
    problems = await settle_bill_accounts([values for values, _, _ in checked])
    good, accepted = [], []
    for (values, items, record), problem in zip(checked, problems):
        if problem:
            rejected.append(Rejected(values["legacy_id"], scrub(problem), masked_sample(record)))
        else:
            good.append((values, items))
            accepted.append(values["legacy_id"])
    return good, accepted, rejected


async def upsert_bills(records: list[LegacyBill], now: dt.datetime) -> Outcome:
    """Write the bills (and their items) that differ from the hall's copy; an unchanged bill is not touched.

    Re-reads are common (the look-back, a ``--full`` sync, the change reconciliation), and a
    rewritten bill would get a new ``synced_at`` - which billmail reads as "the month's bills
    are still arriving". ``Outcome.written`` counts the bills really written.
    """
    good, accepted, rejected = await prepare_bills(records)
    good = list({values["legacy_id"]: (values, items) for values, items in good}.values())  # one per key
    held = await held_bills([values["legacy_id"] for values, _ in good])
    changed = [(values, items) for values, items in good if held.get(values["legacy_id"]) != bill_print(values, items)]
    bills = [dict(values, synced_at=now) for values, _ in changed]
    await _upsert(Bill, bills, BILL_FIELDS)
    items = [item for _, its in changed for item in its]
    await _upsert(BillItem, items, ITEM_FIELDS)
    keep = {item["legacy_id"] for item in items}
    known = [
        b["legacy_id"] for b in bills if b["legacy_id"] in held
    ]  # only bills the hall had can have items to remove
    for part in chunks(known):  # items a bill no longer has
        old = await BillItem.select(BillItem.legacy_id).where(BillItem.bill_legacy_id.is_in(part))
        stale = [r["legacy_id"] for r in old if r["legacy_id"] not in keep]
        for gone in chunks(stale):
            await BillItem.delete().where(BillItem.legacy_id.is_in(gone))
    return Outcome(written=len(bills), accepted=accepted, rejected=rejected)


async def upsert_calls(records: list[LegacyCallRecord], now: dt.datetime) -> Outcome:
    """Call records come by the million and are append-only upstream: the bulk path (core.db.bulk)."""
    good, accepted, rejected = _accept(records, call_row)
    rows = list({row[0]: row for row in good}.values())  # one row per key
    await bulk_upsert(CallRecord, CALL_COLUMNS, rows, mostly_new=True)
    return Outcome(written=len(rows), accepted=accepted, rejected=rejected)


# -- the kinds, as the CLI and jobs use them ---------------------------------------------
KINDS = {"bills": BillingSource, "calls": CallRecordSource}


def source_function(kind: str, connector):
    """``source_fn(watermark, limit) -> (records, new_watermark)`` of ``kind`` on ``connector`` (also run by the DB agent)."""
    if kind == "bills":

        async def source(watermark: str, limit: int):
            batch = await connector.bills_changed_since(watermark, limit)
            return batch.bills, batch.watermark

        return source
    if kind == "calls":

        async def source(watermark: str, limit: int):
            batch = await connector.calls_after(watermark, limit)
            return batch.calls, batch.watermark

        return source
    raise ValueError(f"unknown sync kind {kind!r} (have: {', '.join(KINDS)})")


def _functions(kind: str, connector):
    source = source_function(kind, connector)
    if kind == "bills":
        return source, connector.bills_by_ids, upsert_bills
    return source, connector.calls_by_ids, upsert_calls


def supports(connector, kind: str) -> bool:
    return kind in KINDS and isinstance(connector, KINDS[kind])


async def sync_billing(
    tenant: Tenant,
    connector,
    kind: str,
    *,
    batch_size: int = 2000,
    full: bool = False,
    progress=None,
    agent_min_rows: int | None = None,
    commit_rows: int | None = None,
) -> SyncResult:
    """Sync ``bills`` or ``calls`` of one tenant from its connector.

    Big loads (pages of ``BIG_PAGE`` rows or more, e.g. ``hall sync --full``) take two short cuts:
    when a page of at least ``agent_min_rows`` comes back full, the rest is read by a DB agent
    process (core.legacy.agent) if the connector offers ``agent_recipe()``; and pages are
    committed ``commit_rows`` at a time (see ``sync_kind``). Small scheduled runs read in-process
    and commit page by page.
    """
    source, _fetch, upsert = _functions(kind, connector)
    agent = AdaptiveSource(source, connector, kind, min_rows=BIG_PAGE if agent_min_rows is None else agent_min_rows)
    try:
        if commit_rows is None:  # big pages mean a big load: group them; small ones commit one by one
            commit_rows = COMMIT_ROWS if batch_size >= BIG_PAGE else 0
        result = await sync_kind(
            tenant,
            agent,
            upsert,
            kind,
            batch_size=batch_size,
            full=full,
            progress=progress,
            commit_rows=commit_rows,
            look_back=look_back_for(tenant, connector, kind),
        )
    finally:
        agent.close()
    if result.written >= ANALYZE_AFTER:  # PostgreSQL plans a table it thinks is empty badly (look-ups by number crawl)
        await analyze(CallRecord if kind == "calls" else Bill)
    return result


async def retry_quarantined(tenant: Tenant, kind: str, connector) -> SyncResult:
    """Re-read every open quarantined ``kind`` row from the legacy system and re-validate it."""
    _source, fetch, upsert = _functions(kind, connector)
    return await retry_kind(tenant, fetch, upsert, kind)
