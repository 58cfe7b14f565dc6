"""The fulfilment: a paid bill payment records which bills it paid and how much, and forgets the cached balance of the
number or account it paid for (called inside the settlement's transaction)."""

from __future__ import annotations

import logging

from core.api.legacy import forget_balance
from core.api.payments import Intent, now
from plugins.billpay.tables import BillPayment

log = logging.getLogger("hall.billpay")


async def record_bills(intent: Intent) -> None:
    """One row per bill of the intent's metadata; a repeat (there is none: settle() calls once) changes nothing."""
    bills = (intent.metadata or {}).get("bills") or []
    if not bills:  # an intent without bills would be a bug of ours: refuse, so the settlement rolls back and it shows
        raise ValueError(f"bill payment {intent.id} names no bills")
    if sum(int(b["amount_fen"]) for b in bills) != intent.amount_fen:
        raise ValueError(f"bill payment {intent.id}: the bills add up to another amount than the payment")
    stamp = now()
    rows = [
        BillPayment(
            intent_id=intent.id,
            bill_legacy_id=str(b["bill_id"]),
            number=str(b.get("number", intent.metadata.get("number", ""))),
            month=str(b.get("month", ""))[:7],
            amount_fen=int(b["amount_fen"]),
            paid_after_fen=int(b.get("paid_before_fen", 0)) + int(b["amount_fen"]),
            customer_id=intent.customer_id,
            created_at=stamp,
        )
        for b in bills
    ]
    await BillPayment.insert(*rows).on_conflict(
        target=(BillPayment.tenant, BillPayment.intent_id, BillPayment.bill_legacy_id), action="DO NOTHING"
    )
    # the BSS's balance changes once it posts the payment: the next look-up asks it instead of the cache
    await forget_balance(str(intent.metadata.get("account") or intent.metadata.get("number") or ""))
    log.info("bill payment %s: %d bill(s) paid", intent.id, len(rows))
