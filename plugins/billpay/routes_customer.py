"""Customer pages: what each linked number owes, paying one month or all, the receipt, and the history of bill payments."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.i18n import N_
from core.payments import PaymentError, intents_of
from core.web.context import info
from core.web.data_as_of import data_as_of_context
from core.web.pay_pages import checkout_response
from core.web.render import gettext, hall_of, render
from plugins.billpay.owed import owed_for
from plugins.billpay.paying import OWNER, PayRefused, pay_intent
from plugins.billpay.tables import Invoice
from plugins.billpay.views import customer_of, local, own_payment, paid_bills, paid_bills_of, zone_of

CUSTOMER = {"auth": "customer"}


async def _owed_page(request: Request, *, notice: str = "", status: int = 200) -> Response:
    _, numbers = await customer_of(request)
    return await render(request, "billpay/owed.html", {"numbers": await owed_for(numbers), "notice": notice,
                                                       **await data_as_of_context(request)}, status=status)


@get("/", opt=CUSTOMER)
async def owed_page(request: Request) -> Response:
    return await _owed_page(request)


@post("/pay", opt=CUSTOMER)
async def pay(request: Request) -> Response:
    """Pay the bills ticked (``bill``, repeated) of one number, or all it owes (no ``bill``): to the gateway, or the page with why not."""
    customer_id, numbers = await customer_of(request)
    form = await request.form()
    number = str(form.get("number") or "").strip()[:32]
    if number not in numbers:  # someone else's number (or none): it does not exist for this customer
        raise NotFoundException()
    bill_ids = [str(v)[:64] for v in form.getall("bill", [])][:24] if form.get("mode") != "all" else []
    owed = (await owed_for([number]))[0]
    _ = gettext(request)
    try:
        intent = await pay_intent(hall_of(request), info(request).tenant, customer_id=customer_id, owed=owed, bill_ids=bill_ids,
                                  describe=lambda n, months: _("Phone bill %(number)s, %(months)s") % {"number": n, "months": months})
    except PayRefused as refused:
        return await _owed_page(request, notice=_(refused.message) % refused.params, status=409)
    except PaymentError:  # e.g. the provider was switched off meanwhile: say so, never a 500
        return await _owed_page(request, notice=_(N_("Online payment is not available at the moment.")), status=409)
    return await checkout_response(request, intent)


@get("/receipt/{intent_id:str}", opt=CUSTOMER)
async def receipt(request: Request, intent_id: FromPath[str]) -> Response:
    intent = await own_payment(request, intent_id)
    zone = zone_of(request)
    invoice = await Invoice.select(Invoice.invoice_no).where(Invoice.intent_id == intent.id).first()
    return await render(request, "billpay/receipt.html", {
        "intent": intent, "bills": await paid_bills(intent), "paid_at": local(intent.succeeded_at, zone),
        "created_at": local(intent.created_at, zone), "invoice": invoice})


@get("/history", opt=CUSTOMER)
async def history(request: Request) -> Response:
    customer_id, _ = await customer_of(request)
    intents = await intents_of(customer_id=customer_id, owner=OWNER, limit=200) if customer_id else []
    zone = zone_of(request)
    invoiced = {r["intent_id"] for r in await Invoice.select(Invoice.intent_id).where(Invoice.intent_id.is_in([i.id for i in intents]))} if intents else set()
    bills = await paid_bills_of(intents)
    rows = [{"intent": i, "when": local(i.created_at, zone, "%Y-%m-%d %H:%M"), "bills": bills[i.id], "invoiced": i.id in invoiced}
            for i in intents]
    return await render(request, "billpay/history.html", {"rows": rows})


HANDLERS = [owed_page, pay, receipt, history]
