"""Red-letter notes (红字发票): a refund that succeeds after the payment was invoiced reverses that much of the invoice, once.

Called from billpay's ``payment_refunded``, inside the refund's transaction:
the note is numbered and written with the refund, or not at all. The refund id
is unique among notes, so the hook running again (a retried refund) finds the
note and adds none. A refund before invoicing gets no note: the invoice is
asked net of it (plugins/billpay/invoice.py). The provider issues the note
afterwards, like an invoice (plugins/billpay/issuing.py).
"""

from __future__ import annotations

import logging

from core.api.payments import Intent, now
from plugins.billpay import tax
from plugins.billpay.invoice import lock_payment
from plugins.billpay.numbering import next_invoice_no
from plugins.billpay.tables import CreditNote, Invoice

log = logging.getLogger("hall.billpay")


async def on_refund(intent: Intent, refund: dict, settings) -> bool:
    """Write the red-letter note of ``refund`` if the payment has an invoice it was not netted from; whether one was written."""
    await lock_payment(intent.id)
    invoice = await Invoice.select().where(Invoice.intent_id == intent.id).first()
    if invoice is None or refund["refund_id"] in (invoice["refunds_netted"] or []):
        return False
    if await CreditNote.count().where(CreditNote.refund_id == refund["refund_id"]):
        return False
    earlier = await CreditNote.select(CreditNote.lines).where(CreditNote.intent_id == intent.id).order_by(CreditNote.id)
    original = invoice["lines"] or [{"code": "", "name": "", "rate": "0", "amount_fen": invoice["amount_fen"]}]
    lines = tax.credit_lines(original, [n["lines"] for n in earlier], int(refund["amount_fen"]))
    if not lines:
        log.warning(
            "payment %s: refund %s after invoice %s, which has nothing left to reverse",
            intent.id,
            refund["refund_id"],
            invoice["invoice_no"],
        )
        return False
    amount, net, tax_fen = tax.totals(lines)
    number = await next_invoice_no(settings.invoice_prefix)
    await CreditNote.insert(
        CreditNote(
            invoice_no=number,
            original_no=invoice["invoice_no"],
            intent_id=intent.id,
            refund_id=refund["refund_id"],
            customer_id=intent.customer_id,
            reason=str(refund.get("reason") or "")[:500],
            amount_fen=amount,
            net_fen=net,
            tax_fen=tax_fen,
            lines=lines,
            state="pending",
            provider=settings.invoice_provider,
            created_at=now(),
        )
    )
    log.info(
        "payment %s: refund %s after invoice %s: red-letter note %s of %d fen",
        intent.id,
        refund["refund_id"],
        invoice["invoice_no"],
        number,
        amount,
    )
    return True


async def notes_of(intent_id: str) -> list[dict]:
    return await CreditNote.select().where(CreditNote.intent_id == intent_id).order_by(CreditNote.id)
