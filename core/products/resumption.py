"""Automatic resumption on payment (复机): a payment that pays an account's arrears lifts the suspension at once.

The charge run re-checks accounts in arrears every hour; that stays, as the
safety net. But a customer who tops up expects the line back now, and the BSS
shows the money only once the ``payment.posted`` event has reached it. So when
a payment that adds to the balance (``[products.charges] credit_purposes``: a
top-up, a bill paid) has been settled, the hall records it as a credit of the
account (``core_balance_credit``, once per intent) - what may be spent
counts it until the BSS shows it (core/products/spending.py) - and settles that
account's charges in arrears at once, oldest first, each under the account's
row lock. A product suspended for arrears with nothing left owing is resumed
with the reason ``arrears`` only: a customer's own suspension (报停) stays.
Everything is idempotent: a second call finds nothing owed.
"""

from __future__ import annotations

import logging

from core.products import arrears, model
from core.products.charge_tables import BalanceCredit, Charge
from core.products.settings import products_settings
from core.products.spending import BalanceBook

log = logging.getLogger("hall.products.charges")


def accounts_of(intent) -> list[str]:
    """The accounts a payment credits: its metadata's ``account``, and its ``number`` (a number is its own account)."""
    metadata = intent.metadata or {}
    out = []
    for key in ("account", "number"):
        value = str(metadata.get(key) or "").strip()
        if value and value not in out:
            out.append(value)
    return out


async def record_credit(account: str, key: str, amount_fen: int, event_id: str = "") -> bool:
    """Record money that came in for ``account`` under ``key`` (once); False when it was already there."""
    if amount_fen <= 0 or not account or not key:
        return False
    rows = await BalanceCredit.insert(
        BalanceCredit(
            account_legacy_id=account,
            intent_id=key[:64],
            amount_fen=amount_fen,
            event_id=event_id,
            credited_at=model.now(),
        )
    ).on_conflict(target=(BalanceCredit.tenant, BalanceCredit.intent_id), action="DO NOTHING")
    return bool(rows)


async def settle_arrears_of(hall, tenant, account: str) -> int:
    """Pay what ``account`` owes that its balance now covers, and resume what was suspended for it; how many paid."""
    if not await Charge.exists().where((Charge.state == "arrears") & (Charge.account_legacy_id == account)):
        return 0
    book = BalanceBook(hall, tenant)
    await book.forget(account)  # ask the BSS again: the payment may show there already
    settled = await arrears.settle_account(hall, tenant, account, book)
    for charge in settled:
        await arrears.resume_if_clear(hall, tenant, charge)
    return len(settled)


async def balance_credited(hall, tenant, account: str, amount_fen: int, key: str, event_id: str = "") -> int:
    """Something credited ``account``'s balance (``key`` names it, once): settle its arrears now. Outside transactions.

    For plugins and connectors that credit a balance other than through a
    payment of the payment core; ``event_id`` is the outbox event that tells
    the BSS, when there is one (the credit counts until it is delivered).
    """
    await record_credit(account, key, amount_fen, event_id)
    return await settle_arrears_of(hall, tenant, account)


async def on_payment_posted(hall, tenant, intent) -> int:
    """``payment_posted``: a top-up or a bill paid for an account settles its arrears at once (the job stays the net)."""
    if intent.purpose not in products_settings(hall, tenant).charges.credit_purposes:
        return 0
    accounts = accounts_of(intent)
    if not accounts:
        return 0
    from core.payments.settle import posted_event_id

    await record_credit(accounts[0], intent.id, int(intent.amount_fen), posted_event_id(tenant.id, intent.id))
    paid = 0
    for account in accounts:
        paid += await settle_arrears_of(hall, tenant, account)
    if paid:
        log.info("tenant %s: payment %s settled %d charge(s) in arrears at once", tenant.id, intent.id, paid)
    return paid
