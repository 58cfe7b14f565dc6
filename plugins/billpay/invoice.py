"""Invoices (发票): the title (抬头) and tax number (税号) checks, and asking for the invoice of a payment, once.

Asking fixes everything printed on it in one transaction: the seller, the
lines and their tax (plugins/billpay/tax.py), the amount net of the refunds
that had succeeded, and the next invoice number. The e-invoice provider issues
it afterwards (plugins/billpay/issuing.py). Red-letter notes for later refunds:
plugins/billpay/credit.py.

A company title needs a tax number: an 18-character unified social credit code
(统一社会信用代码, check digit verified with python-stdnum) or an older
15- or 20-character taxpayer number. A personal title may go without one.
"""

from __future__ import annotations

import re

from stdnum.cn import uscc

from core.api import N_
from core.api.db import fetch_scoped, transaction
from core.api.legacy import BillItem
from core.api.payments import Intent, Refund, now
from core.api.web import Form
from plugins.billpay import tax
from plugins.billpay.numbering import next_invoice_no
from plugins.billpay.tables import BillPayment, Invoice

KINDS = ("personal", "company")
OLD_TAX_NUMBER = re.compile(r"^[0-9A-Z]{15}$|^[0-9A-Z]{20}$")
MAX_TITLE = 100


def clean_tax_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value).upper()


def check(form: Form) -> dict | None:
    """The invoice request's fields, or None with the errors set on ``form``."""
    kind = form.value("kind") or "personal"
    title = form.value("title")
    tax_number = clean_tax_number(form.value("tax_number"))
    if kind not in KINDS:
        form.error("kind", N_("Choose a personal or a company invoice."))
    if not title:
        form.error("title", N_("This field is required."))
    elif len(title) > MAX_TITLE:
        form.error("title", N_("At most %(n)s characters."), n=MAX_TITLE)
    if kind == "company" and not tax_number:
        form.error("tax_number", N_("A company invoice needs the company's tax number."))
    elif tax_number:
        if len(tax_number) == 18:
            if not uscc.is_valid(tax_number):
                form.error(
                    "tax_number", N_("This is not a valid unified social credit code (check the 18 characters).")
                )
        elif not OLD_TAX_NUMBER.match(tax_number):
            form.error("tax_number", N_("A tax number has 15, 18 or 20 letters and digits."))
    return {"kind": kind, "title": title, "tax_number": tax_number} if form.valid else None


FALLBACK_LINE = N_("Telecom services")


class InvoiceRefused(Exception):
    """An invoice that cannot be asked for (now); ``message`` is a message id."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


async def lock_payment(intent_id: str) -> None:
    """Serialise invoicing and refunds of one payment: both first touch its bill rows (a no-op UPDATE that takes their row locks).

    The refund's transaction holds them from billpay's ``payment_refunded`` until
    it commits, and the invoice request from its start: whichever comes second
    waits, then sees the first (a refund either is netted or gets a red-letter note, never neither).
    """
    await fetch_scoped(
        "UPDATE billpay_bill_payment SET amount_fen = amount_fen WHERE tenant = {tenant} AND intent_id = {}", intent_id
    )


async def _lines(intent_id: str, rate_of, fallback_name: str) -> list[dict]:
    paid = [
        {"bill_id": r["bill_legacy_id"], "amount_fen": int(r["amount_fen"])}
        for r in await BillPayment.select(BillPayment.bill_legacy_id, BillPayment.amount_fen)
        .where(BillPayment.intent_id == intent_id)
        .order_by(BillPayment.month)
    ]
    items: dict[str, list[dict]] = {}
    if paid:
        for row in (
            await BillItem.select(BillItem.bill_legacy_id, BillItem.code, BillItem.name, BillItem.amount_fen)
            .where(BillItem.bill_legacy_id.is_in([p["bill_id"] for p in paid]))
            .order_by(BillItem.position, BillItem.id)
        ):
            items.setdefault(row["bill_legacy_id"], []).append(row)
    return tax.bill_lines(paid, items, rate_of, fallback_name)


async def request(intent: Intent, fields: dict, settings, *, seller_name: str, fallback_name: str) -> tuple[dict, bool]:
    """The payment's invoice, asked for now unless it has one: (the row, whether it was created now). Never changes one.

    Raises :class:`InvoiceRefused` when nothing is left to invoice (refunded in full) or the seller has no tax number.
    """
    if not settings.invoice_issuer_tax_number:
        raise InvoiceRefused(
            N_("Invoices are not available yet: the seller's tax number is not set up. Please ask customer service.")
        )
    async with transaction():
        await lock_payment(intent.id)
        existing = await Invoice.select().where(Invoice.intent_id == intent.id).first()
        if existing:
            return existing, False
        refunds = (
            await Refund.select(Refund.refund_id, Refund.amount_fen)
            .where((Refund.intent_id == intent.id) & (Refund.state == "succeeded"))
            .order_by(Refund.id)
        )
        refunded = sum(int(r["amount_fen"]) for r in refunds)
        total = intent.amount_fen - refunded
        if total <= 0:
            raise InvoiceRefused(N_("An invoice can only be asked for a payment that was made and not refunded."))
        lines = await _lines(intent.id, settings.rate_of, fallback_name)
        if (
            sum(x["amount_fen"] for x in lines) != intent.amount_fen
        ):  # bills not recorded (cannot happen once paid): one line
            lines = [{"code": "", "name": fallback_name, "rate": settings.rate_of(""), "amount_fen": intent.amount_fen}]
        lines = tax.invoice_lines(lines, total)
        amount, net, tax_fen = tax.totals(lines)
        stamp = now()
        row = Invoice(
            intent_id=intent.id,
            invoice_no=await next_invoice_no(settings.invoice_prefix),
            customer_id=intent.customer_id,
            kind=fields["kind"],
            title=fields["title"],
            tax_number=fields["tax_number"],
            amount_fen=amount,
            issued_at=stamp,
            requested_at=stamp,
            state="pending",
            paid_fen=intent.amount_fen,
            refunded_before_fen=refunded,
            refunds_netted=[r["refund_id"] for r in refunds],
            net_fen=net,
            tax_fen=tax_fen,
            lines=lines,
            seller_name=seller_name[:100],
            seller_tax_number=settings.invoice_issuer_tax_number,
            seller_address_phone=settings.invoice_issuer_address_phone,
            seller_bank_account=settings.invoice_issuer_bank_account,
            provider=settings.invoice_provider,
        )
        await Invoice.insert(row)
        created = await Invoice.select().where(Invoice.intent_id == intent.id).first()
    return created, True


async def invoice_of(intent_id: str) -> dict | None:
    return await Invoice.select().where(Invoice.intent_id == intent_id).first()
