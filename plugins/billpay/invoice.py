"""Invoices (发票): the title (抬头) and tax number (税号) checks, issuing once per payment, and the PDF (reportlab).

A company title needs a tax number: an 18-character unified social credit code
(统一社会信用代码, check digit verified with python-stdnum) or an older
15- or 20-character taxpayer number. A personal title may go without one.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets

from stdnum.cn import uscc

from core.db import transaction
from core.i18n import N_
from core.money import format_fen
from core.payments.model import Intent, now
from core.web.forms import Form
from plugins.billpay.tables import Invoice

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
                form.error("tax_number", N_("This is not a valid unified social credit code (check the 18 characters)."))
        elif not OLD_TAX_NUMBER.match(tax_number):
            form.error("tax_number", N_("A tax number has 15, 18 or 20 letters and digits."))
    return {"kind": kind, "title": title, "tax_number": tax_number} if form.valid else None


def invoice_no(issued: dt.datetime) -> str:
    return "FP" + issued.strftime("%Y%m%d") + secrets.token_hex(5).upper()


async def issue(intent: Intent, fields: dict) -> tuple[dict, bool]:
    """Issue the payment's invoice unless it has one; (the invoice, whether it was issued now). Never changes an issued one."""
    stamp = now()
    async with transaction():
        inserted = await Invoice.insert(Invoice(intent_id=intent.id, invoice_no=invoice_no(stamp), customer_id=intent.customer_id,
                                     kind=fields["kind"], title=fields["title"], tax_number=fields["tax_number"],
                                     amount_fen=intent.amount_fen - intent.refunded_fen, issued_at=stamp)).on_conflict(
            target=(Invoice.tenant, Invoice.intent_id), action="DO NOTHING").returning(Invoice.id)
        row = await Invoice.select().where(Invoice.intent_id == intent.id).first()
    return row, bool(inserted)


async def invoice_of(intent_id: str) -> dict | None:
    return await Invoice.select().where(Invoice.intent_id == intent_id).first()


def render_pdf(invoice: dict, *, issuer: str, issuer_tax_number: str, bills: list[dict], labels: dict[str, str], issued_at: str) -> bytes:
    """The invoice as a one-page PDF; CJK through reportlab's built-in STSong-Light CID font (no font file)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(f"{labels['title']} {invoice['invoice_no']}")
    width, height = A4
    y = height - 60
    pdf.setFont("STSong-Light", 18)
    pdf.drawCentredString(width / 2, y, labels["title"])
    pdf.setFont("STSong-Light", 11)
    lines = [(labels["invoice_no"], invoice["invoice_no"]), (labels["issued_at"], issued_at),
             (labels["buyer"], invoice["title"]), (labels["tax_number"], invoice["tax_number"] or "-"),
             (labels["seller"], issuer), (labels["seller_tax_number"], issuer_tax_number or "-"),
             (labels["payment"], invoice["intent_id"])]
    y -= 40
    for label, value in lines:
        pdf.drawString(60, y, f"{label}: {value}")
        y -= 20
    y -= 10
    pdf.drawString(60, y, labels["number"])
    pdf.drawString(220, y, labels["month"])
    pdf.drawRightString(width - 60, y, labels["amount"])
    y -= 18
    for b in bills:
        pdf.drawString(60, y, str(b["number"]))
        pdf.drawString(220, y, str(b["month"]))
        pdf.drawRightString(width - 60, y, "¥" + format_fen(int(b["amount_fen"])))
        y -= 18
    y -= 10
    pdf.drawString(60, y, labels["total"])
    pdf.drawRightString(width - 60, y, "¥" + format_fen(int(invoice["amount_fen"])))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
