"""Arrears (欠费) of the charge run: the reminder before a month, the grace period, the final warning, the suspension
for arrears (欠费停机) and the automatic resumption once paid (复机).

- A charge from the prepaid balance that the balance does not cover is
  ``arrears``: the customer is told, and the suspension is booked as a dated
  change (``schedule(product, "suspend", suspend_at, {"reason": "arrears"})``)
  that My products shows with its date until it happens (the products job
  applies it; the reason is ``arrears``, kept apart from the customer's own).
- Each run re-checks the balance of accounts in arrears: paid charges become
  ``paid`` (``charge.debited`` to the BSS, once), the booked suspension is
  withdrawn, and a product suspended for arrears with nothing left owing is
  resumed with the reason ``arrears`` only - a customer's own suspension
  (报停) stays, and a terminated product is never revived.
- Every message goes out once per product, month and kind (``core_charge_notice``).
"""

from __future__ import annotations

import datetime as dt
import logging

from core.db import transaction
from core.legacy.balances import forget_balance
from core.legacy.outbox import emit
from core.localtime import zone_of
from core.products import changes, lifecycle, model
from core.products.charge_notices import notify
from core.products.charge_tables import Charge
from core.products.charging import chargeable
from core.products.dates import month_start
from core.products.inventory import get_product, reasons_of
from core.products.states import ACTIVE, SUSPENDED
from core.products.spending import BalanceBook, spendable_locked, unseen_debits  # noqa: F401  (kept importable here)
from core.products.tables import ProductChange

log = logging.getLogger("hall.products.charges")


async def open_arrears(hall, tenant, charge: dict, product: dict, settings) -> None:
    """A charge went into arrears (inside its transaction): book the suspension and tell the customer, once."""
    change_id = None
    if settings.suspend_for_arrears and product["state"] in (ACTIVE, SUSPENDED):
        change_id = await changes.schedule(
            product["id"], "suspend", charge["suspend_at"], {"reason": "arrears", "charge": charge["id"]}
        )
        await Charge.update({Charge.suspend_change_id: change_id}).where(Charge.id == charge["id"])
    await notify(hall, tenant, product, charge["period"], "arrears", charge)


async def settle_account(hall, tenant, account: str, book: BalanceBook) -> list[dict]:
    """Charges of ``account`` in arrears that its balance now covers, oldest first, made ``paid``; those settled."""
    owed = (
        await Charge.select()
        .where((Charge.state == "arrears") & (Charge.account_legacy_id == account))
        .order_by(Charge.period)
        .order_by(Charge.id)
    )
    settled = []
    for charge in owed:
        have = await book.available(account)
        if have is None or have < charge["amount_fen"]:
            break
        from core.products.charges import charge_event_id, payload

        event = charge_event_id(tenant.id, charge["product_id"], charge["period"])
        async with transaction():
            have = await spendable_locked(account)  # another worker's debit of this account waits, or is seen
            if have is None or have < charge["amount_fen"]:
                break
            done = (
                await Charge.update(
                    {Charge.state: "paid", Charge.settled_at: model.now(), Charge.event_id: event, Charge.reason: ""}
                )
                .where((Charge.id == charge["id"]) & (Charge.state == "arrears"))
                .returning(Charge.id)
            )
            if not done:
                continue
            product = await get_product(charge["product_id"])
            row = {**charge, "event_id": event, "state": "paid"}
            await emit("charge.debited", payload(row, product, tenant), event_id=event)
            if charge["suspend_change_id"] is not None:
                await changes.cancel_scheduled(charge["suspend_change_id"])
        settled.append(charge)
    if settled:
        await forget_balance(account)
    return settled


async def resume_if_clear(hall, tenant, charge: dict) -> None:
    """Resume a product suspended for arrears once none of its charges is in arrears; the reason ``arrears`` only."""
    product = await get_product(charge["product_id"])
    if product["state"] != SUSPENDED or "arrears" not in reasons_of(product):
        return
    if await Charge.exists().where((Charge.product_id == product["id"]) & (Charge.state == "arrears")):
        return
    await lifecycle.act(
        hall, tenant, product["id"], "resume", key=f"arrears-resume:{charge['id']}", params={"reason": "arrears"}
    )
    async with transaction():
        await notify(hall, tenant, product, charge["period"], "resumed", charge)


async def settle_paid(hall, tenant, book: BalanceBook) -> int:
    """Arrears the balance now covers: paid, told to the BSS, suspension withdrawn or lifted. Returns how many."""
    accounts = await Charge.select(Charge.account_legacy_id).where(Charge.state == "arrears").distinct()
    count = 0
    for row in accounts:
        account = row["account_legacy_id"]
        await book.forget(account)  # a payment may have come in since: ask the BSS
        for charge in await settle_account(hall, tenant, account, book):
            count += 1
            await resume_if_clear(hall, tenant, charge)
    return count


async def warn_and_record(hall, tenant, settings) -> None:
    """The final warning before a booked suspension, and the notice once it happened; each once."""
    now = model.now()
    for charge in await Charge.select().where((Charge.state == "arrears") & Charge.suspend_change_id.is_not_null()):
        change = await ProductChange.select().where(ProductChange.id == charge["suspend_change_id"]).first()
        if change is None:
            continue
        product = await get_product(charge["product_id"])
        if change["state"] == "applied" and product["state"] == SUSPENDED and "arrears" in reasons_of(product):
            async with transaction():
                await notify(hall, tenant, product, charge["period"], "suspended", charge)
        elif change["state"] == "scheduled" and settings.final_warning_days:
            if now >= charge["suspend_at"] - dt.timedelta(days=settings.final_warning_days):
                async with transaction():
                    await notify(hall, tenant, product, charge["period"], "warning", charge)


async def remind(hall, tenant, settings, book: BalanceBook) -> int:
    """``reminder_days`` before next month: accounts charged from their balance that will not cover it are told."""
    if not settings.reminder_days:
        return 0
    from core.products.charges import period_label, settle_mode

    now, zone = model.now(), zone_of(tenant)
    start, end = month_start(now, zone, 1), month_start(now, zone, 2)
    if now < start - dt.timedelta(days=settings.reminder_days):
        return 0
    label = period_label(start, tenant)
    due: dict[str, list[dict]] = {}
    after = 0
    while page := await chargeable(start, end, after_id=after, limit=200):
        after = page[-1]["id"]
        for product in page:
            if product["state"] in (ACTIVE, SUSPENDED) and settle_mode(hall, tenant, product) == "balance":
                due.setdefault(product["account_legacy_id"], []).append(product)
    told = 0
    for account, products in due.items():
        have = await book.available(account)
        if have is None or have >= sum(int(p["fee_fen"]) for p in products):
            continue
        for product in products:
            charge = {"amount_fen": product["fee_fen"], "period": label, "suspend_at": start}
            async with transaction():
                told += await notify(hall, tenant, product, label, "reminder", charge)
    return told


async def follow_up(hall, tenant, settings, book: BalanceBook) -> int:
    """After charging: settle what was paid, warn, record suspensions, remind. Returns the charges settled."""
    settled = await settle_paid(hall, tenant, book)
    await warn_and_record(hall, tenant, settings)
    await remind(hall, tenant, settings, book)
    return settled


async def pending_for(product_ids: list[int]) -> dict[int, list[dict]]:
    """Charges of these products, newest month first: what My products shows (arrears with their suspension date)."""
    if not product_ids:
        return {}
    rows = (
        await Charge.select()
        .where(Charge.product_id.is_in(product_ids) & (Charge.state != "skipped"))
        .order_by(Charge.period, ascending=False)
    )
    out: dict[int, list[dict]] = {}
    for row in rows:
        out.setdefault(row["product_id"], []).append(row)
    return out
