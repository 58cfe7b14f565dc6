"""Sending numbered invoices and red-letter notes to the e-invoice provider, and asking again until it issued them.

Right after an invoice is asked (and after a refund wrote a note), the page
tries once; whatever is still pending is retried by the ``billpay.issue_invoices``
job every few minutes. Every call names the hall's invoice number, on which
providers are idempotent, and a retry asks ``query`` first: a provider that
issued but whose answer was lost is not asked to issue again. The row moves to
``issued`` with a conditional UPDATE (``WHERE state = 'pending'``), so two
workers retrying at once record it once. A note waits until its invoice is issued.
"""

from __future__ import annotations

import logging

from core.api.db import require_tenant
from core.api.payments import now
from plugins.billpay.einvoice import InvoiceDoc, Issued, provider_for
from plugins.billpay.tables import CreditNote, Invoice

log = logging.getLogger("hall.billpay")
JOB_NAME = "billpay.issue_invoices"


def invoice_doc(invoice: dict) -> InvoiceDoc:
    return InvoiceDoc(
        request_no=invoice["invoice_no"],
        doc_type="blue",
        buyer_kind=invoice["kind"],
        buyer_name=invoice["title"],
        buyer_tax_number=invoice["tax_number"],
        seller_name=invoice["seller_name"],
        seller_tax_number=invoice["seller_tax_number"],
        seller_address_phone=invoice["seller_address_phone"],
        seller_bank_account=invoice["seller_bank_account"],
        amount_fen=int(invoice["amount_fen"]),
        net_fen=int(invoice["net_fen"]),
        tax_fen=int(invoice["tax_fen"]),
        lines=list(invoice["lines"] or []),
    )


def note_doc(note: dict, invoice: dict) -> InvoiceDoc:
    blue = invoice_doc(invoice)
    return InvoiceDoc(
        **{
            **blue.__dict__,
            "request_no": note["invoice_no"],
            "doc_type": "red",
            "amount_fen": int(note["amount_fen"]),
            "net_fen": int(note["net_fen"]),
            "tax_fen": int(note["tax_fen"]),
            "lines": list(note["lines"] or []),
            "original_request_no": invoice["invoice_no"],
            "original_provider_no": invoice["provider_no"],
            "reason": note["reason"],
        }
    )


async def _record(table, number: str, issued: Issued | None, error: str = "") -> None:
    values = {table.attempts: table.attempts + 1}
    if issued is None:
        values[table.last_error] = error[:2000]
    else:
        values.update(
            {
                table.state: "issued",
                table.provider_no: issued.provider_no[:64],
                table.verify_code: issued.verify_code[:32],
                table.issued_at: now(),
                table.last_error: "",
            }
        )
    await table.update(values).where((table.invoice_no == number) & (table.state == "pending"))


async def push(hall, row: dict, invoice: dict | None = None) -> bool:
    """Ask the provider to issue one pending document (``invoice`` is the original when ``row`` is a note); whether it is issued now."""
    tenant = require_tenant()
    table = Invoice if invoice is None else CreditNote
    if invoice is not None and invoice["state"] != "issued":
        return False  # the note waits for its invoice
    try:
        provider = provider_for(hall, tenant, row["provider"])
        doc = invoice_doc(row) if invoice is None else note_doc(row, invoice)
        issued = await provider.query(doc.request_no) if row["attempts"] else None
        if issued is None:
            issued = await (provider.issue(doc) if invoice is None else provider.red_letter(doc))
    except (
        Exception
    ) as exc:  # unreachable, refused, or a provider bug: it stays pending, is retried, and the error shows to operators
        log.warning("%s %s: the e-invoice provider did not issue it: %s", table.__name__, row["invoice_no"], exc)
        await _record(table, row["invoice_no"], None, f"{type(exc).__name__}: {exc}")
        return False
    await _record(table, row["invoice_no"], issued)
    return True


async def push_for_payment(hall, intent_id: str) -> None:
    """Issue what is pending for one payment: its invoice, then its notes (the page calls this after asking)."""
    invoice = await Invoice.select().where(Invoice.intent_id == intent_id).first()
    if invoice is None:
        return
    if invoice["state"] == "pending":
        await push(hall, invoice)
        invoice = await Invoice.select().where(Invoice.intent_id == intent_id).first()
    for note in (
        await CreditNote.select()
        .where((CreditNote.intent_id == intent_id) & (CreditNote.state == "pending"))
        .order_by(CreditNote.id)
    ):
        await push(hall, note, invoice)


async def issue_pending(hall, limit: int = 100) -> int:
    """Retry every pending invoice, then every pending note (oldest first); how many were issued."""
    done = 0
    for row in await Invoice.select().where(Invoice.state == "pending").order_by(Invoice.id).limit(limit):
        done += await push(hall, row)
    notes = await CreditNote.select().where(CreditNote.state == "pending").order_by(CreditNote.id).limit(limit)
    if notes:
        originals = {
            r["intent_id"]: r
            for r in await Invoice.select().where(Invoice.intent_id.is_in(list({n["intent_id"] for n in notes})))
        }
        for note in notes:
            if note["intent_id"] in originals:
                done += await push(hall, note, originals[note["intent_id"]])
    return done


async def issue_job(hall, tenant_id: str, **_) -> None:
    """The job: safe to run twice, and on several workers at once (idempotent provider calls, conditional updates)."""
    issued = await issue_pending(hall)
    if issued:
        log.info("tenant %s: %d invoice(s) and note(s) issued on retry", tenant_id, issued)
