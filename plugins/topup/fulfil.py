"""The fulfilment: a paid top-up is marked paid exactly once; a refund records what came back. Both run inside the core's
transaction (settlement, refund), so they commit with it or not at all.

Crediting the number itself is the legacy system's work: the core writes the
``payment.posted`` outbox event (with ``metadata = {number, account}``) in the
same transaction, once per payment, and the outbox delivers it (docs/topup.md).
"""

from __future__ import annotations

import logging

from core.api.payments import Intent, Refund, now
from plugins.topup.tables import PAID, TopUp

log = logging.getLogger("hall.topup")


def _target(intent: Intent) -> tuple[str, str]:
    metadata = intent.metadata or {}
    number, account = str(metadata.get("number") or ""), str(metadata.get("account") or "")
    if not number or not account:  # a top-up without a number would be a bug of ours: refuse, the settlement rolls back
        raise ValueError(f"top-up {intent.id} names no number or account")
    return number, account


async def credit(intent: Intent) -> bool:
    """Mark the top-up of ``intent`` paid; False when it already was (settle() calls once, but a repeat changes nothing)."""
    number, account = _target(intent)
    stamp = now()
    marked = (
        await TopUp.update({TopUp.state: PAID, TopUp.paid_at: stamp})
        .where((TopUp.intent_id == intent.id) & TopUp.paid_at.is_null())
        .returning(TopUp.id)
    )
    if marked:
        log.info("top-up %s: %d fen onto %s paid", intent.id, intent.amount_fen, number)
        return True
    if await TopUp.exists().where(TopUp.intent_id == intent.id):
        return False
    # Its row was never written (the request died between the intent and the row): the payment still counts.
    from plugins.topup.services import new_receipt_id

    await TopUp.insert(
        TopUp(
            intent_id=intent.id,
            receipt_id=new_receipt_id(),
            number=number,
            account=account,
            payer_id=intent.customer_id,
            amount_fen=intent.amount_fen,
            state=PAID,
            created_at=intent.created_at,
            paid_at=stamp,
        )
    ).on_conflict(target=(TopUp.tenant, TopUp.intent_id), action="DO NOTHING")
    log.warning("top-up %s: paid without its row; written from the payment", intent.id)
    return True


async def record_refund(intent: Intent) -> None:
    """The top-up's state and refunded amount after a refund: what the refunds that succeeded add up to (a repeat is the same)."""
    succeeded = await Refund.select(Refund.amount_fen).where(
        (Refund.intent_id == intent.id) & (Refund.state == "succeeded")
    )
    await TopUp.update(
        {TopUp.state: intent.state, TopUp.refunded_fen: sum(int(r["amount_fen"]) for r in succeeded)}
    ).where(TopUp.intent_id == intent.id)
