"""Customer pages: what each linked number or billing account owes (with its balance), paying one month or all, the
receipt, and the history of bill payments.

What is owed is served from the page cache: bills come with a sync, a payment's fulfilment and a refund
emit an outbox event in their transaction (both bump the page version), the payment form carries only
the CSRF token of the cookie in the key, and a live balance bounds the stored page's life
(``balances_of``)."""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.api import N_
from core.api.payments import PaymentError, checkout_response
from core.api.web import cached_page, data_as_of_context, gettext, hall_of, info, render, url_for
from plugins.billpay.owed import owed_for_payers
from plugins.billpay.paying import PayRefused, pay_intent
from plugins.billpay.tables import Invoice
from plugins.billpay.views import balances_of, local, own_payment, paid_bills, payers_of, zone_of

CUSTOMER = {"auth": "customer"}


async def _owed_page(request: Request, *, notice: str = "", status: int = 200, chosen: str = "") -> Response:
    _, payers = await payers_of(request)
    return await render(
        request,
        "billpay/owed.html",
        {
            "numbers": await owed_for_payers(payers),
            "balances": await balances_of(request, payers),
            "notice": notice,
            "chosen": chosen,
            "today": dt.datetime.now(zone_of(request)).date(),
            **await data_as_of_context(request),
        },
        status=status,
    )


@get("/", opt=cached_page(**CUSTOMER), name="billpay:index")
async def owed_page(request: Request) -> Response:
    """What each linked number or account owes; ``?bill=<id>`` (the bill page's "Pay this bill") ticks and marks that bill."""
    return await _owed_page(request, chosen=str(request.query_params.get("bill") or "")[:64])


@post("/pay", opt=CUSTOMER, name="billpay:pay")
async def pay(request: Request) -> Response:
    """Pay the bills ticked (``bill``, repeated) of one number or account, or all it owes (no ``bill``): to the gateway,
    or the page with why not."""
    customer_id, payers = await payers_of(request)
    form = await request.form()
    number = str(form.get("number") or "").strip()[:32]
    account = str(form.get("account") or "").strip()[:64]
    payer = next(
        (p for p in payers if (number and p.number == number) or (account and not p.number and p.account == account)),
        None,
    )
    if payer is None:  # someone else's number or account (or none): it does not exist for this customer
        raise NotFoundException()
    _ = gettext(request)
    if form.get("only"):  # a row's own "Pay" button
        bill_ids = [str(form.get("only"))[:64]]
    elif form.get("mode") == "all":
        bill_ids = []
    else:
        bill_ids = [str(v)[:64] for v in form.getall("bill", [])][:24]
        if not bill_ids:  # "pay the months ticked" with none ticked: ask, never pay everything unasked
            return await _owed_page(
                request, notice=_(N_("Tick the months you want to pay, or choose to pay everything owed.")), status=400
            )
    owed = (await owed_for_payers([payer]))[0]
    try:
        intent = await pay_intent(
            hall_of(request),
            info(request).tenant,
            customer_id=customer_id,
            owed=owed,
            bill_ids=bill_ids,
            describe=lambda n, months: _("Phone bill %(number)s, %(months)s") % {"number": n, "months": months},
        )
    except PayRefused as refused:
        return await _owed_page(request, notice=_(refused.message) % refused.params, status=409)
    except PaymentError:  # e.g. the provider was switched off meanwhile: say so, never a 500
        return await _owed_page(request, notice=_(N_("Online payment is not available at the moment.")), status=409)
    return await checkout_response(request, intent)


@get("/receipt/{intent_id:str}", opt=CUSTOMER, name="billpay:receipt")
async def receipt(request: Request, intent_id: FromPath[str]) -> Response:
    intent = await own_payment(request, intent_id)
    zone = zone_of(request)
    invoice = await Invoice.select(Invoice.invoice_no).where(Invoice.intent_id == intent.id).first()
    return await render(
        request,
        "billpay/receipt.html",
        {
            "intent": intent,
            "bills": await paid_bills(intent),
            "paid_at": local(intent.succeeded_at, zone),
            "created_at": local(intent.created_at, zone),
            "invoice": invoice,
        },
    )


@get("/history", opt=CUSTOMER, name="billpay:history")
async def history(request: Request) -> Redirect:
    """Bill payments are listed with every other payment on the core's one payment history (billpay adds its links there)."""
    return Redirect(path=url_for(request, "pay:history"), status_code=301)


HANDLERS = [owed_page, pay, receipt, history]
