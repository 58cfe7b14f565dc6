"""The hall's layout of an invoice or red-letter note as a one-page A4 PDF (reportlab; fonts: core/pdf.py).

Used for the local provider's documents, and for any provider that has no PDF
of its own. Labels come translated from the page; amounts are integer fen.
"""

from __future__ import annotations

import io

from core.api import N_, format_fen
from core.api.web import pdf

LABELS = {
    "title": N_("Electronic invoice (VAT general invoice)"),
    "red_title": N_("Electronic invoice (red-letter, VAT general invoice)"),
    "invoice_no": N_("Invoice number"),
    "provider_no": N_("Tax platform invoice number"),
    "verify_code": N_("Invoice check code"),
    "issued_at": N_("Issued at"),
    "pending": N_("Not issued yet: the e-invoice service has not confirmed it"),
    "original_no": N_("Reverses invoice"),
    "buyer": N_("Buyer"),
    "tax_number": N_("Buyer tax number"),
    "seller": N_("Seller"),
    "seller_tax_number": N_("Seller tax number"),
    "seller_address_phone": N_("Address and telephone"),
    "seller_bank_account": N_("Bank and account"),
    "payment": N_("Payment number"),
    "item": N_("Item"),
    "rate": N_("Tax rate"),
    "net": N_("Amount excl. tax"),
    "tax": N_("Tax"),
    "amount": N_("Amount incl. tax"),
    "total": N_("Total"),
    "paid": N_("Paid"),
    "refunded_before": N_("Refunded before invoicing"),
    "reason": N_("Reason"),
}


def render(
    doc: dict, *, red: bool, labels: dict[str, str], issued_at: str, payment: str, original_no: str = ""
) -> bytes:
    """``doc`` is an Invoice or CreditNote row; for a note, the buyer and seller fields come from its invoice (merged in ``doc``)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf.register()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.setTitle(f"{labels['red_title' if red else 'title']} {doc['invoice_no']}")
    width, height = A4
    left, right = 50, width - 50
    y = height - 60
    pdf.draw(page, width / 2, y, labels["red_title" if red else "title"], 16, align="centre")
    y -= 36
    facts = [(labels["invoice_no"], doc["invoice_no"])]
    if doc.get("state") == "issued":
        facts += [
            (labels["provider_no"], doc.get("provider_no") or "-"),
            (labels["verify_code"], doc.get("verify_code") or "-"),
            (labels["issued_at"], issued_at),
        ]
    else:
        facts.append((labels["issued_at"], labels["pending"]))
    if red:
        facts += [(labels["original_no"], original_no), (labels["reason"], doc.get("reason") or "-")]
    facts += [
        (labels["buyer"], doc["title"]),
        (labels["tax_number"], doc["tax_number"] or "-"),
        (labels["seller"], doc["seller_name"]),
        (labels["seller_tax_number"], doc["seller_tax_number"] or "-"),
    ]
    if doc.get("seller_address_phone"):
        facts.append((labels["seller_address_phone"], doc["seller_address_phone"]))
    if doc.get("seller_bank_account"):
        facts.append((labels["seller_bank_account"], doc["seller_bank_account"]))
    facts.append((labels["payment"], payment))
    for label, value in facts:
        pdf.draw(page, left, y, f"{label}: {value}", 10)
        y -= 17
    y -= 12
    columns = ((left, "left"), (260, "right"), (350, "right"), (430, "right"), (right, "right"))
    for (x, align), key in zip(columns, ("item", "rate", "net", "tax", "amount")):
        pdf.draw(page, x, y, labels[key], 10, align=align)
    y -= 6
    page.line(left, y, right, y)
    y -= 14
    for line in doc["lines"] or []:
        if not line["amount_fen"]:
            continue
        cells = (
            line["name"],
            f"{line['rate']}%",
            format_fen(line["net_fen"]),
            format_fen(line["tax_fen"]),
            format_fen(line["amount_fen"]),
        )
        for (x, align), text in zip(columns, cells):
            pdf.draw(page, x, y, text, 10, align=align)
        y -= 16
    page.line(left, y + 8, right, y + 8)
    y -= 8
    for (x, align), text in zip(
        columns,
        (
            labels["total"],
            "",
            format_fen(doc["net_fen"]),
            format_fen(doc["tax_fen"]),
            "¥" + format_fen(doc["amount_fen"]),
        ),
    ):
        if text:
            pdf.draw(page, x, y, text, 11, align=align)
    if not red and doc.get("refunded_before_fen"):
        y -= 24
        pdf.draw(
            page,
            left,
            y,
            f"{labels['paid']}: ¥{format_fen(doc['paid_fen'])}   "
            f"{labels['refunded_before']}: ¥{format_fen(doc['refunded_before_fen'])}",
            9,
        )
    page.showPage()
    page.save()
    return buffer.getvalue()
