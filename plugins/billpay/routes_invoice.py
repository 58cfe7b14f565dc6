"""Invoice pages: ask for the invoice of a paid bill payment (once), and its PDF - for its owner, and for operators."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.i18n import N_
from core.payments import get_intent
from core.web.audit_helpers import audit
from core.web.context import info
from core.web.forms import Form
from core.web.render import gettext, redirect, render
from plugins.billpay import invoice as invoices
from plugins.billpay.paying import OWNER
from plugins.billpay.views import local, own_payment, paid_bills, zone_of

CUSTOMER = {"auth": "customer"}
OPERATOR = {"auth": "operator", "permission": "billpay.view"}
LABELS = {"title": N_("Invoice for telecom services"), "invoice_no": N_("Invoice number"), "issued_at": N_("Issued at"),
          "buyer": N_("Buyer (invoice title)"), "tax_number": N_("Buyer tax number"), "seller": N_("Seller"),
          "seller_tax_number": N_("Seller tax number"), "payment": N_("Payment number"), "number": N_("Service number"),
          "month": N_("Month"), "amount": N_("Amount"), "total": N_("Total")}


async def _page(request: Request, intent, form: Form, *, status: int = 200, notice: str = "") -> Response:
    invoice = await invoices.invoice_of(intent.id)
    return await render(request, "billpay/invoice.html", {
        "intent": intent, "invoice": invoice, "form": form, "notice": notice,
        "issued_at": local(invoice["issued_at"], zone_of(request)) if invoice else ""}, status=status)


@get("/invoice/{intent_id:str}", opt=CUSTOMER)
async def invoice_page(request: Request, intent_id: FromPath[str]) -> Response:
    intent = await own_payment(request, intent_id)
    return await _page(request, intent, Form({"kind": "personal"}))


@post("/invoice/{intent_id:str}", opt=CUSTOMER)
async def invoice_ask(request: Request, intent_id: FromPath[str]) -> Response:
    intent = await own_payment(request, intent_id)
    form = await Form.from_request(request)
    if not intent.paid or intent.refunded_fen >= intent.amount_fen:
        return await _page(request, intent, form, status=409, notice=N_("An invoice can only be asked for a payment that was made and not refunded."))
    fields = invoices.check(form)
    if fields is None:
        return await _page(request, intent, form, status=400)
    _, issued = await invoices.issue(intent, fields)
    if not issued:
        return await _page(request, intent, form, status=409, notice=N_("This payment already has an invoice; an issued invoice cannot be changed."))
    return redirect(request, f"/billpay/invoice/{intent.id}")


async def _pdf(request: Request, intent) -> Response:
    invoice = await invoices.invoice_of(intent.id)
    if invoice is None:
        raise NotFoundException()
    tenant = info(request).tenant
    settings = tenant.plugin_settings(OWNER)
    _ = gettext(request)
    body = invoices.render_pdf(invoice, issuer=settings.invoice_issuer or tenant.name, issuer_tax_number=settings.invoice_issuer_tax_number,
                               bills=await paid_bills(intent), labels={k: _(v) for k, v in LABELS.items()},
                               issued_at=local(invoice["issued_at"], zone_of(request)))
    return Response(content=body, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{invoice["invoice_no"]}.pdf"', "Cache-Control": "private, no-store"})


@get("/invoice/{intent_id:str}/pdf", opt=CUSTOMER)
async def invoice_pdf(request: Request, intent_id: FromPath[str]) -> Response:
    return await _pdf(request, await own_payment(request, intent_id))


@get("/console/invoice/{intent_id:str}/pdf", opt=OPERATOR)
async def console_invoice_pdf(request: Request, intent_id: FromPath[str]) -> Response:
    intent = await get_intent(intent_id[:64])
    if intent is None or intent.owner != OWNER:
        raise NotFoundException()
    response = await _pdf(request, intent)
    await audit(request, "billpay.invoice.read", object_type="payment", object_id=intent.id)
    return response


HANDLERS = [invoice_page, invoice_ask, invoice_pdf, console_invoice_pdf]
