"""The public API's ``POST /topUp`` (the hall's own resource, beside TMF676): a partner or a kiosk with the ``topup``
scope tops up any number within the same limits as the web page; 201 with the payment and its ``checkoutUrl``."""

from __future__ import annotations

from litestar import Request, Response, post
from msgspec import Struct

from core.api import N_, format_fen
from core.api.tmf import ApiError, Payment, api_caller, errors, payment_created
from core.api.web import FieldErrors, gettext, hall_of, info
from plugins.topup import services
from plugins.topup.limits import DailyLimit, TooManyAttempts


class Amount(Struct):
    value: float
    unit: str = "CNY"


class TopUpCreate(Struct):
    """``attempt``: the partner's own reference; the same one twice gives the same payment."""

    serviceNumber: str
    amount: Amount
    attempt: str | None = None


@post("/topUp", opt={"scope": "topup"}, name="topup:api.create", responses=errors(409))
async def create_topup(request: Request, data: TopUpCreate) -> Response[Payment]:
    """Top up ``serviceNumber`` with ``amount`` (yuan): the payment to be paid at ``checkoutUrl``."""
    hall, tenant = hall_of(request), info(request).tenant
    settings = tenant.plugin_settings("topup")
    caller = api_caller(request)
    address = "api:" + caller.client_id
    if data.amount.unit != "CNY" or not 0 < data.amount.value < 10**9:
        raise ApiError(400, N_("amount must be yuan (CNY), more than zero."), "invalid")
    yuan = format_fen(round(data.amount.value * 100))
    _ = gettext(request)
    try:
        holder = await services.look_up(hall, tenant, settings, number_text=data.serviceNumber[:32], address=address)
        asked = services.Asked("custom", yuan, (data.attempt or "")[:32], "", address)
        intent = await services.pay(
            hall, tenant, settings, holder, asked, describe=lambda n: _("Top-up %(number)s") % {"number": n}
        )
    except FieldErrors as problems:
        name, (message, params) = next(iter(problems.errors.items()))
        raise ApiError(400, message, "invalid_" + name, **params) from None
    except TooManyAttempts:
        raise ApiError(429, N_("Too many requests; please wait a moment."), "rate_limited") from None
    except (DailyLimit, services.TopupRefused) as refused:
        raise ApiError(409, refused.message, "refused", **refused.params) from None
    return payment_created(request, intent)


HANDLERS = [create_topup]
