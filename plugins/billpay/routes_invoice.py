"""Invoice pages: ask for the invoice of a paid bill payment (once), read it and its red-letter notes, download their PDFs.

For the payment's owner, and for operators (``billpay.view``; PDF downloads audited).
"""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_
from core.api.payments import get_intent
from core.api.web import Form, audit, gettext, info, redirect_to, render
from plugins.billpay import invoice as invoices
from plugins.billpay import invoice_pdf
from plugins.billpay.credit import notes_of
from plugins.billpay.einvoice import Issued, ProviderError, provider_for
from plugins.billpay.issuing import invoice_doc, note_doc, push_for_payment
from plugins.billpay.paying import OWNER
from plugins.billpay.tables import CreditNote, Invoice
from plugins.billpay.views import local, own_payment, zone_of

CUSTOMER = {"auth": "customer"}
OPERATOR = {"auth": "operator", "permission": "billpay.view"}


async def _context(request: Request, intent) -> dict:
    zone = zone_of(request)
    invoice = await invoices.invoice_of(intent.id)
    notes = (
        [{**n, "when": local(n["issued_at"] or n["created_at"], zone)} for n in await notes_of(intent.id)]
        if invoice
        else []
    )
    return {
        "intent": intent,
        "invoice": invoice,
        "notes": notes,
        "issued_at": local(invoice["issued_at"], zone) if invoice else "",
    }


async def _page(request: Request, intent, form: Form, *, status: int = 200, notice: str = "") -> Response:
    return await render(
        request,
        "billpay/invoice.html",
        {**await _context(request, intent), "form": form, "notice": notice},
        status=status,
    )


@get("/invoice/{intent_id:str}", opt=CUSTOMER, name="billpay:invoice")
async def invoice_page(request: Request, intent_id: FromPath[str]) -> Response:
    intent = await own_payment(request, intent_id)
    return await _page(request, intent, Form({"kind": "personal"}))


@post("/invoice/{intent_id:str}", opt=CUSTOMER, name="billpay:invoice.request")
async def invoice_ask(request: Request, intent_id: FromPath[str]) -> Response:
    intent = await own_payment(request, intent_id)
    form = await Form.from_request(request)
    if not intent.paid or intent.refunded_fen >= intent.amount_fen:
        return await _page(
            request,
            intent,
            form,
            status=409,
            notice=N_("An invoice can only be asked for a payment that was made and not refunded."),
        )
    fields = invoices.check(form)
    if fields is None:
        return await _page(request, intent, form, status=400)
    tenant = info(request).tenant
    _ = gettext(request)
    settings = tenant.plugin_settings(OWNER)
    try:
        _row, created = await invoices.request(
            intent,
            fields,
            settings,
            seller_name=settings.invoice_issuer or tenant.name,
            fallback_name=_(invoices.FALLBACK_LINE),
        )
    except invoices.InvoiceRefused as refused:
        return await _page(request, intent, form, status=409, notice=refused.message)
    if not created:
        return await _page(
            request,
            intent,
            form,
            status=409,
            notice=N_("This payment already has an invoice; an issued invoice cannot be changed."),
        )
    await push_for_payment(
        request.app.state.hall, intent.id
    )  # a provider failure leaves it pending: the job asks again
    return redirect_to(request, "billpay:invoice", intent_id=intent.id)


def _labels(request: Request) -> dict[str, str]:
    _ = gettext(request)
    return {k: _(v) for k, v in invoice_pdf.LABELS.items()}


async def _provider_pdf(request: Request, doc, row: dict) -> bytes | None:
    """The provider's own PDF of an issued document, if it has one (a provider that cannot answer: the hall's layout)."""
    if row["state"] != "issued" or not row["provider"]:
        return None
    try:
        return await provider_for(request.app.state.hall, info(request).tenant, row["provider"]).pdf(
            doc, Issued(row["provider_no"], row["verify_code"])
        )
    except ProviderError:
        return None


def _download(body: bytes, number: str) -> Response:
    return Response(
        content=body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{number}.pdf"', "Cache-Control": "private, no-store"},
    )


async def _invoice_pdf(request: Request, intent) -> Response:
    invoice = await invoices.invoice_of(intent.id)
    if invoice is None:
        raise NotFoundException()
    body = await _provider_pdf(request, invoice_doc(invoice), invoice) or invoice_pdf.render(
        invoice,
        red=False,
        labels=_labels(request),
        issued_at=local(invoice["issued_at"], zone_of(request)),
        payment=intent.id,
    )
    return _download(body, invoice["invoice_no"])


async def _note_pdf(request: Request, intent, number: str) -> Response:
    invoice = await invoices.invoice_of(intent.id)
    note = next((n for n in await notes_of(intent.id) if n["invoice_no"] == number), None) if invoice else None
    if note is None:
        raise NotFoundException()
    merged = {
        **invoice,
        **{
            k: note[k]
            for k in (
                "invoice_no",
                "amount_fen",
                "net_fen",
                "tax_fen",
                "lines",
                "state",
                "provider",
                "provider_no",
                "verify_code",
                "reason",
            )
        },
    }
    body = await _provider_pdf(request, note_doc(note, invoice), note) or invoice_pdf.render(
        merged,
        red=True,
        labels=_labels(request),
        issued_at=local(note["issued_at"], zone_of(request)),
        payment=intent.id,
        original_no=invoice["invoice_no"],
    )
    return _download(body, note["invoice_no"])


@get("/invoice/{intent_id:str}/pdf", opt=CUSTOMER, name="billpay:invoice.pdf")
async def invoice_pdf_download(request: Request, intent_id: FromPath[str]) -> Response:
    return await _invoice_pdf(request, await own_payment(request, intent_id))


@get("/invoice/{intent_id:str}/credit/{number:str}/pdf", opt=CUSTOMER, name="billpay:credit_note.pdf")
async def note_pdf_download(request: Request, intent_id: FromPath[str], number: FromPath[str]) -> Response:
    return await _note_pdf(request, await own_payment(request, intent_id), number[:32])


async def _operator_payment(intent_id: str):
    intent = await get_intent(intent_id[:64])
    if intent is None or intent.owner != OWNER:
        raise NotFoundException()
    return intent


@get("/console/invoice/{intent_id:str}", opt=OPERATOR, name="billpay:console.invoice")
async def console_invoice_page(request: Request, intent_id: FromPath[str]) -> Response:
    intent = await _operator_payment(intent_id)
    context = await _context(request, intent)
    if context["invoice"] is None:
        raise NotFoundException()
    return await render(request, "billpay/console_invoice.html", context, audience="operator")


@get("/console/invoices", opt=OPERATOR, name="billpay:console.invoices")
async def console_pending(request: Request) -> Response:
    """Invoices and red-letter notes the e-invoice provider has not issued yet, oldest first, with their last error."""
    zone = zone_of(request)
    invoices_ = await Invoice.select().where(Invoice.state == "pending").order_by(Invoice.id).limit(500)
    notes = await CreditNote.select().where(CreditNote.state == "pending").order_by(CreditNote.id).limit(500)
    rows = [
        {**r, "kind_label": N_("Invoice"), "when": local(r["requested_at"] or r["issued_at"], zone)} for r in invoices_
    ]
    rows += [{**n, "kind_label": N_("Red-letter invoice"), "when": local(n["created_at"], zone)} for n in notes]
    return await render(request, "billpay/console_invoices.html", {"rows": rows}, audience="operator")


@get("/console/invoice/{intent_id:str}/pdf", opt=OPERATOR, name="billpay:console.invoice.pdf")
async def console_invoice_pdf(request: Request, intent_id: FromPath[str]) -> Response:
    intent = await _operator_payment(intent_id)
    response = await _invoice_pdf(request, intent)
    await audit(request, "billpay.invoice.read", object_type="payment", object_id=intent.id)
    return response


@get("/console/invoice/{intent_id:str}/credit/{number:str}/pdf", opt=OPERATOR, name="billpay:console.credit_note.pdf")
async def console_note_pdf(request: Request, intent_id: FromPath[str], number: FromPath[str]) -> Response:
    intent = await _operator_payment(intent_id)
    response = await _note_pdf(request, intent, number[:32])
    await audit(
        request,
        "billpay.invoice.read",
        object_type="payment",
        object_id=intent.id,
        summary=f"credit note {number[:32]}",
    )
    return response


HANDLERS = [
    invoice_page,
    invoice_ask,
    invoice_pdf_download,
    note_pdf_download,
    console_pending,
    console_invoice_page,
    console_invoice_pdf,
    console_note_pdf,
]
