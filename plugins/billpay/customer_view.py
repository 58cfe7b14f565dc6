"""Section of the console's customer view: the customer's bill payments and their invoices (needs billpay.view)."""

from __future__ import annotations

from core.api import N_, Panel
from core.api.payments import PaymentIntent
from plugins.billpay.tables import BillPayment, CreditNote, Invoice

LATEST = 20


async def billpay_section(customer: dict) -> Panel:
    paid = (
        await BillPayment.select()
        .where(BillPayment.customer_id == customer["legacy_id"])
        .order_by(BillPayment.id, ascending=False)
        .limit(LATEST)
    )
    ids = sorted({r["intent_id"] for r in paid})
    states = (
        {
            i["public_id"]: i["state"]
            for i in await PaymentIntent.select(PaymentIntent.public_id, PaymentIntent.state).where(
                PaymentIntent.public_id.is_in(ids)
            )
        }
        if ids
        else {}
    )
    invoices = (
        await Invoice.select(
            Invoice.intent_id,
            Invoice.invoice_no,
            Invoice.kind,
            Invoice.title,
            Invoice.amount_fen,
            Invoice.state,
            Invoice.issued_at,
        )
        .where(Invoice.customer_id == customer["legacy_id"])
        .order_by(Invoice.id, ascending=False)
        .limit(LATEST)
    )
    credits = (
        await CreditNote.select(
            CreditNote.intent_id,
            CreditNote.invoice_no,
            CreditNote.original_no,
            CreditNote.amount_fen,
            CreditNote.state,
            CreditNote.created_at,
        )
        .where(CreditNote.customer_id == customer["legacy_id"])
        .order_by(CreditNote.id, ascending=False)
        .limit(LATEST)
    )
    return Panel(
        "billpay/customer_section.html",
        {"paid": paid, "states": states, "invoices": invoices, "credits": credits},
        title=N_("Bill payments"),
        permission="billpay.view",
        order=40,
    )
