"""Public pages: the number form, the amount form (masked holder, presets), paying, the receipt; customers: their top-ups."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api.identity import linked_numbers
from core.api.payments import PaymentError, checkout_response, customer_legacy_id
from core.api.web import (
    FieldErrors,
    Form,
    HallDep,
    NamedDependency,
    TenantDep,
    client_address,
    gettext,
    info,
    render,
    until,
)
from plugins.topup.limits import TOO_MANY_ATTEMPTS, DailyLimit, TooManyAttempts
from plugins.topup.services import NO_PAYMENT, Asked, TopupRefused, look_up, new_attempt_token, pay, topup_by_receipt
from plugins.topup.settings import TopupSettings
from plugins.topup.views import history_page, receipt_context

PUBLIC = {"auth": "public"}
CUSTOMER = {"auth": "customer"}
Settings = NamedDependency[TopupSettings]


async def _number_page(request: Request, form: Form, *, notice: str = "", status: int = 200) -> Response:
    customer = info(request).customer
    numbers = await linked_numbers(customer.id) if customer is not None else []
    return await render(
        request, "topup/index.html", {"form": form, "numbers": numbers, "notice": notice}, status=status
    )


async def _amount_page(
    request: Request, holder, settings, form: Form, *, notice: str = "", status: int = 200
) -> Response:
    return await render(
        request,
        "topup/amount.html",
        {
            "holder": holder,
            "settings": settings,
            "form": form,
            "attempt": form.value("attempt")[:32] or new_attempt_token(),
            "notice": notice,
        },
        status=status,
    )


def _too_many(request: Request, refused: TooManyAttempts) -> str:
    return gettext(request)(TOO_MANY_ATTEMPTS) % {"time": until(request, refused.retry_at)}


@get("/", opt=PUBLIC, name="topup:index")
async def index(request: Request) -> Response:
    """The number to top up (``?number=`` fills it in)."""
    return await _number_page(request, Form({"number": str(request.query_params.get("number") or "")[:32]}))


@post("/find", opt=PUBLIC, name="topup:find")
async def find(request: Request, hall: HallDep, tenant: TenantDep, settings: Settings) -> Response:
    """Look the number up (one attempt of the address): the amount form with the masked holder, or the number form again."""
    form = await Form.from_request(request)
    try:
        holder = await look_up(
            hall, tenant, settings, number_text=form.value("number"), address=client_address(request)
        )
    except FieldErrors as problems:
        form.take(problems)
        return await _number_page(request, form, status=400)
    except TooManyAttempts as refused:
        return await _number_page(request, form, notice=_too_many(request, refused), status=429)
    return await _amount_page(request, holder, settings, Form({"number": holder.number}))


@post("/pay", opt=PUBLIC, name="topup:pay")
async def pay_topup(request: Request, hall: HallDep, tenant: TenantDep, settings: Settings) -> Response:
    """Pay the amount chosen onto the number: to the gateway, or the form again with why not."""
    form = await Form.from_request(request)
    address = client_address(request)
    try:
        holder = await look_up(hall, tenant, settings, number_text=form.value("number"), address=address)
    except FieldErrors as problems:
        form.take(problems)
        return await _number_page(request, form, status=400)
    except TooManyAttempts as refused:
        return await _number_page(request, form, notice=_too_many(request, refused), status=429)
    _ = gettext(request)
    asked = Asked(
        choice=form.value("amount"),
        custom=form.value("custom_amount"),
        attempt=form.value("attempt"),
        payer_id=await customer_legacy_id(request),
        address=address,
    )
    try:
        intent = await pay(
            hall, tenant, settings, holder, asked, describe=lambda n: _("Top-up of %(number)s") % {"number": n}
        )
    except FieldErrors as problems:
        form.take(problems)
        return await _amount_page(request, holder, settings, form, status=400)
    except (DailyLimit, TopupRefused) as refused:
        return await _amount_page(
            request, holder, settings, form, notice=_(refused.message) % refused.params, status=409
        )
    except PaymentError:  # e.g. the provider was switched off meanwhile: say so, never a 500
        return await _amount_page(request, holder, settings, form, notice=_(NO_PAYMENT), status=409)
    return await checkout_response(request, intent)


@get("/receipt/{receipt_id:str}", opt=PUBLIC, name="topup:receipt")
async def receipt(request: Request, receipt_id: FromPath[str]) -> Response:
    """The receipt, by its unguessable id (the payer may not be logged in); printable."""
    row = await topup_by_receipt(receipt_id)
    if row is None:
        raise NotFoundException()
    context = await receipt_context(request, row)
    if context["intent"] is None:
        raise NotFoundException()
    page = await render(request, "topup/receipt.html", context)
    page.headers["Referrer-Policy"] = "no-referrer"  # the receipt's address goes to no other site
    return page


@get("/history", opt=CUSTOMER, name="topup:history")
async def history(request: Request) -> Response:
    """Top-ups onto the customer's numbers, and those they paid while logged in."""
    legacy_id = await customer_legacy_id(request)
    if not legacy_id:
        raise NotFoundException()
    rows, page = await history_page(request, legacy_id)
    return await render(request, "topup/history.html", {"rows": rows, **page.template_context})


HANDLERS = [index, find, pay_topup, receipt, history]
