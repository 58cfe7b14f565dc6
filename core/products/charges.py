"""The recurring charge run (定期划帐): each hall-charged product is charged once per month of the tenant's zone.

Exactly once, on any number of workers and through ``kill -9``: the charge row
(``core_charge``, unique on tenant, product and period) is inserted with
``ON CONFLICT DO NOTHING`` in the same transaction as its effect - the outbox
event that tells the BSS (``charge.posted``, or ``charge.debited`` for a debit
of the prepaid balance) or the booked suspension of an arrears. A second
worker's insert finds the row and does nothing; a killed run's open
transaction rolls back, and the next run charges what is left. A run looks at
the last ``catch_up_months`` months, so a month a run missed is charged by the
next one. Fees of zero, and months the customer had the product suspended
(报停), are recorded as ``skipped`` with the reason, never as a zero charge.
A charge is always a debit: nothing here can make a balance go up.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from typing import Callable

from core.db import transaction
from core.legacy.outbox import emit
from core.localtime import zone_of
from core.products import arrears, autopay, model
from core.products.charge_tables import Charge, ChargeRun
from core.products.charging import chargeable
from core.products.dates import month_start
from core.products.settings import products_settings
from core.products.spending import BalanceBook, spendable_locked

log = logging.getLogger("hall.products.charges")
EVENT_IDS = uuid.UUID("6f1c2b7e-8a4d-4e3f-9c5b-2d7e1a0b3c4f")
STALE_RUN = dt.timedelta(hours=2)  # a run "running" this long was killed
PAGE = 200
MAX_FAILURES = 50


def period_label(start: dt.datetime, tenant) -> str:
    """``YYYY-MM`` of the month starting at ``start`` (UTC), in the tenant's zone."""
    local = start.astimezone(zone_of(tenant))
    return f"{local.year:04d}-{local.month:02d}"


def periods_to_charge(now: dt.datetime, tenant, settings) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """The months a run at ``now`` charges, oldest first: the current one and ``catch_up_months - 1`` before it."""
    zone = zone_of(tenant)
    out = []
    for back in range(settings.catch_up_months - 1, -1, -1):
        start, end = month_start(now, zone, -back), month_start(now, zone, 1 - back)
        label = period_label(start, tenant)
        if settings.first_period and label < settings.first_period:
            continue
        out.append((label, start, end))
    return out


def charge_event_id(tenant_id: str, product_id: int, period: str) -> str:
    """One id per product and month forever: the BSS ignores a repeat of it."""
    return str(uuid.uuid5(EVENT_IDS, f"{tenant_id}:{product_id}:{period}"))


def settle_mode(hall, tenant, product: dict) -> str:
    """``bss`` or ``balance``: the product's offering says (``charge_from``), else ``[products.charges] settle``."""
    from core.products.catalog import static_offerings

    offering = static_offerings(hall, tenant)[0].get(product["offering_code"])
    return (offering.charge_from if offering is not None else "") or products_settings(hall, tenant).charges.settle


def payload(charge: dict, product: dict, tenant) -> dict:
    return {
        "charge": charge["event_id"],
        "account": charge["account_legacy_id"],
        "customer_id": charge["customer_legacy_id"],
        "product": product["product_key"],
        "number": charge["number"],
        "offering": product["offering_code"],
        "legacy_code": product["legacy_code"],
        "period": charge["period"],
        "amount_fen": int(charge["amount_fen"]),  # always > 0: a debit
        "settle": charge["settle"],
    }


async def _insert(values: dict) -> dict | None:
    """Insert the charge unless the product's month has one; the row, or None when it was already there."""
    rows = await Charge.insert(Charge(**values)).on_conflict(
        target=(Charge.tenant, Charge.product_id, Charge.period), action="DO NOTHING"
    )
    if not rows:
        return None
    return await Charge.select().where(Charge.id == rows[0]["id"]).first()


def _skip_reason(product: dict, settings) -> str:
    if int(product["fee_fen"]) <= 0:
        return "no_fee"
    reasons = (product["suspend_reasons"] or "").split(",")
    if product["state"] == "suspended" and "customer" in reasons and not settings.charge_customer_suspended:
        return "customer_suspended"
    return ""


async def charge_one(
    hall, tenant, product: dict, period, run_id: int | None, book: BalanceBook, progress=None, refused=None
) -> str | None:
    """Charge ``product`` (a row of :func:`chargeable`) for ``period`` (label, start, end); what was done, or None.

    What was done: ``skipped``, ``charged``, ``autopaid`` (by the account's agreement), ``arrears``. An agreement
    charge refused or not answered is appended to ``refused`` (product, period, reason) and goes into arrears.

    ``progress(detail)`` is called inside the transaction, between the charge row and its effect (the kill -9
    tests stop there: the row must roll back with the event it goes with).
    """
    settings = products_settings(hall, tenant).charges
    label, start, end = period
    now = model.now()
    fee = int(product["fee_fen"])
    base = {
        "product_id": product["id"],
        "period": label,
        "period_start": start,
        "period_end": end,
        "account_legacy_id": product["account_legacy_id"],
        "customer_legacy_id": product["customer_legacy_id"],
        "number": product["number"],
        "run_id": run_id,
        "created_at": now,
    }
    skip = _skip_reason(product, settings)
    if skip:
        async with transaction():
            row = await _insert({**base, "amount_fen": 0, "state": "skipped", "reason": skip, "settle": ""})
        return "skipped" if row else None
    settle = settle_mode(hall, tenant, product)
    covered, why = True, ""
    if settle == "balance":  # asked outside the transaction: a network call
        covered, why = await book.covers(product["account_legacy_id"], fee)
    event = charge_event_id(tenant.id, product["id"], label)
    if covered:
        async with transaction():
            if settle == "balance":  # decided again under the account's lock: never spend the same money twice
                have = await spendable_locked(product["account_legacy_id"])
                if have is None or have < fee:
                    covered, why = False, "balance_unknown" if have is None else "balance_low"
            if covered:  # (a debit: the next look-up of the balance takes it off until the BSS shows it)
                state = "posted" if settle == "bss" else "debited"
                row = await _insert({**base, "amount_fen": fee, "settle": settle, "state": state, "event_id": event})
                if row is None:
                    return None
                if progress:
                    progress(f"written {product['id']} {label}")
                await emit(f"charge.{state}", payload(row, product, tenant), event_id=event)
                return "charged"
    # not covered: the account's automatic-payment agreement (代扣) first, before the arrears (core/products/autopay.py)
    outcome, detail = await autopay.charge_by_agreement(hall, tenant, product, period, fee, progress, run_id)
    if outcome == "succeeded":
        return "autopaid"
    if outcome == "paid":
        return None
    if outcome != "none":
        why = f"autopay_{outcome}"  # autopay_refused | autopay_pending
        if refused is not None:
            refused.append({"product": product["id"], "period": label, "reason": why, "detail": detail})
    async with transaction():
        suspend_at = max(now, start) + dt.timedelta(days=settings.grace_days)
        row = await _insert(
            {**base, "amount_fen": fee, "settle": settle, "state": "arrears", "reason": why, "suspend_at": suspend_at}
        )
        if row is None:
            return None
        await arrears.open_arrears(hall, tenant, row, product, settings)
    return "arrears"


async def _start_run(periods) -> int:
    now = model.now()
    await ChargeRun.update({ChargeRun.state: "interrupted"}).where(
        (ChargeRun.state == "running") & (ChargeRun.started_at < now - STALE_RUN)
    )
    rows = await ChargeRun.insert(
        ChargeRun(started_at=now, state="running", periods=" ".join(p[0] for p in periods)[:100])
    )
    return rows[0]["id"]


async def _already_charged(product_ids: list[int], label: str) -> set[int]:
    rows = await Charge.select(Charge.product_id).where((Charge.period == label) & Charge.product_id.is_in(product_ids))
    return {r["product_id"] for r in rows}


async def run_charges(hall, tenant, *, progress: Callable[[str], None] | None = None) -> dict:
    """One charge run for the tenant: every month due, then arrears (settled, warned, reminded). Safe to run twice."""
    settings = products_settings(hall, tenant).charges
    if not settings.enabled:
        return {}
    periods = periods_to_charge(model.now(), tenant, settings)
    run_id = await _start_run(periods)
    counts: Counter = Counter()
    failures: list[dict] = []
    refused: list[dict] = []
    book = BalanceBook(hall, tenant)
    counts["settled"] += await arrears.settle_paid(hall, tenant, book)  # what is owed is paid first, oldest first
    for period in periods:
        after = 0
        while page := await chargeable(period[1], period[2], after_id=after, limit=PAGE, include_free=True):
            after = page[-1]["id"]
            done = await _already_charged([p["id"] for p in page], period[0])
            for product in page:
                if product["id"] in done:
                    continue
                try:
                    outcome = await charge_one(hall, tenant, product, period, run_id, book, progress, refused)
                except Exception as exc:  # recorded with its reason; the next run tries the product again
                    log.exception("tenant %s: charging product %s for %s failed", tenant.id, product["id"], period[0])
                    counts["failed"] += 1
                    if len(failures) < MAX_FAILURES:
                        reason = f"{type(exc).__name__}: {exc}"[:300]
                        failures.append({"product": product["id"], "period": period[0], "reason": reason})
                    continue
                if outcome:
                    counts[outcome] += 1
                if progress:
                    progress(f"done {product['id']} {period[0]} {outcome}")
    counts["settled"] += await arrears.follow_up(hall, tenant, settings, book)  # this run's own arrears, warnings
    await ChargeRun.update(
        {
            ChargeRun.state: "done",
            ChargeRun.finished_at: model.now(),
            ChargeRun.charged: counts["charged"],
            ChargeRun.skipped: counts["skipped"],
            ChargeRun.arrears: counts["arrears"],
            ChargeRun.settled: counts["settled"],
            ChargeRun.failed: counts["failed"],
            ChargeRun.failures: failures,
            ChargeRun.autopaid: counts["autopaid"],
            ChargeRun.autopay_refused: refused[:MAX_FAILURES],
        }
    ).where(ChargeRun.id == run_id)
    return {"run": run_id, **{k: counts[k] for k in ("charged", "skipped", "arrears", "settled", "failed", "autopaid")}}
