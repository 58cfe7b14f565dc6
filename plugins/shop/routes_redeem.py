"""Card top-up (充值卡充值), for anyone: number, serial and PIN; one message for every failure; lock-outs say until when."""

from __future__ import annotations

from litestar import Request, Response, get, post

from core.api import N_
from core.api.identity import linked_numbers
from core.api.payments import customer_legacy_id
from core.api.web import Form, HallDep, NamedDependency, TenantDep, client_address, gettext, info, render, until
from plugins.shop.limits import LockedOut
from plugins.shop.pins import keys_for
from plugins.shop.redeem import FAILED, RedeemFailed, clean_number, redeem
from plugins.shop.settings import ShopSettings

PUBLIC = {"auth": "public"}
Settings = NamedDependency[ShopSettings]
LOCKED = N_("Too many card top-ups that did not work. You can try again after %(time)s.")


async def _numbers(request: Request) -> list:
    customer = info(request).customer
    return await linked_numbers(customer.id) if customer is not None else []


async def _page(request: Request, form: Form, *, notice: str = "", done=None, status: int = 200) -> Response:
    page = await render(
        request,
        "shop/redeem.html",
        {"form": form, "numbers": await _numbers(request), "notice": notice, "done": done},
        status=status,
    )
    page.headers["Cache-Control"] = "no-store"
    return page


@get("/redeem", opt=PUBLIC, name="shop:redeem")
async def redeem_form(request: Request) -> Response:
    return await _page(request, Form({"number": str(request.query_params.get("number") or "")[:20]}))


@post("/redeem", opt=PUBLIC, name="shop:redeem.post")
async def redeem_post(request: Request, hall: HallDep, tenant: TenantDep, settings: Settings) -> Response:
    form = await Form.from_request(request)
    form.require("number", "serial", "pin")
    keep = Form({"number": form.value("number"), "serial": form.value("serial")})  # the PIN is never echoed back
    if not form.valid:
        keep.errors = form.errors
        return await _page(request, keep, status=400)
    _ = gettext(request)
    own = await _numbers(request)
    try:
        done = await redeem(
            hall,
            tenant,
            settings,
            keys_for(hall, tenant),
            serial=form.value("serial"),
            pin=form.raw("pin"),
            number=clean_number(form.value("number")),
            customer_id=await customer_legacy_id(request),
            own_numbers=own,
            address=client_address(request),
        )
    except RedeemFailed:
        return await _page(request, keep, notice=_(FAILED), status=400)
    except LockedOut as locked:
        return await _page(request, keep, notice=_(LOCKED) % {"time": until(request, locked.retry_at)}, status=429)
    return await _page(request, Form(), done=done)


HANDLERS = [redeem_form, redeem_post]
