"""The cart: anyone adds cards and physical products (a visitor's cart lives under a cookie token); a customer checks
it out in one payment, giving one address when something is to be shipped."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie

from core.api import N_
from core.api.payments import PaymentError, checkout_response, customer_legacy_id
from core.api.web import (
    FieldErrors,
    Form,
    HallDep,
    NamedDependency,
    TenantDep,
    gettext,
    info,
    parse_int,
    redirect_to,
    render,
)
from plugins.shop import cart, catalog, delivery
from plugins.shop.buyer import buyer_contact
from plugins.shop.checkout import checkout_cart
from plugins.shop.orders import OutOfStock
from plugins.shop.settings import ShopSettings

PUBLIC = {"auth": "public"}
CUSTOMER = {"auth": "customer"}
Settings = NamedDependency[ShopSettings]
SOLD_OUT = N_("Not enough of these cards are left just now. Take fewer, or try again later.")


async def _owner(request: Request) -> tuple[str, str | None, bool]:
    """(cart owner, a visitor token to set, whether to drop the visitor cookie): a visitor's cart joins the customer's."""
    token = request.cookies.get(cart.COOKIE, "")
    visitor = cart.visitor_owner(token)
    if info(request).customer is not None:
        owner = f"c:{await customer_legacy_id(request)}"
        if visitor:
            await cart.merge(visitor, owner)
        return owner, None, bool(visitor)
    if visitor:
        return visitor, None, False
    fresh = cart.new_token()
    return f"v:{fresh}", fresh, False


def _cookies(response: Response, request: Request, token: str | None, drop: bool) -> Response:
    path = info(request).base or "/"
    if token:
        response.set_cookie(
            Cookie(key=cart.COOKIE, value=token, path=path, httponly=True, samesite="lax", max_age=30 * 86400)
        )
    elif drop:
        response.delete_cookie(cart.COOKIE, path=path)
    return response


async def _page(
    request: Request, owner: str, *, notice: str = "", status: int = 200, form: Form | None = None
) -> Response:
    """The cart; with physical lines, the address form once for all (``form``: what was typed, with its errors)."""
    member = info(request).customer is not None
    settings = info(request).tenant.plugin_settings("shop")
    lines = [
        {**line, "each_fen": catalog.price_now(line["product"], member=member)} for line in await cart.lines_of(owner)
    ]
    total = sum(line["each_fen"] * line["quantity"] for line in lines)
    context = {
        "lines": lines,
        "total_fen": total,
        "notice": notice,
        "physical": any(line["product"]["delivery"] == "physical" for line in lines),
        "form": form or Form({"method": settings.shipping_methods[0].code}),
        "methods": settings.shipping_methods,
    }
    return await render(request, "shop/cart.html", context, status=status)


@get("/cart", opt=PUBLIC, name="shop:cart")
async def cart_page(request: Request) -> Response:
    owner, token, drop = await _owner(request)
    return _cookies(await _page(request, owner), request, token, drop)


@post("/cart/add", opt=PUBLIC, name="shop:cart.add")
async def cart_add(request: Request) -> Response:
    form = await Form.from_request(request)
    product = await catalog.product_by_code(form.value("product"))
    owner, token, drop = await _owner(request)
    quantity = parse_int(form.value("quantity") or "1", low=1, high=cart.MAX_PER_LINE)
    if product is not None and quantity is not None:
        await cart.add(owner, product["id"], quantity)
    return _cookies(redirect_to(request, "shop:cart"), request, token, drop)


@post("/cart/remove", opt=PUBLIC, name="shop:cart.remove")
async def cart_remove(request: Request) -> Response:
    form = await Form.from_request(request)
    owner, token, drop = await _owner(request)
    product_id = parse_int(form.value("product_id"), low=1, high=2**31 - 1)
    if product_id is not None:
        await cart.remove(owner, product_id)
    return _cookies(redirect_to(request, "shop:cart"), request, token, drop)


@post("/cart/checkout", opt=CUSTOMER, name="shop:cart.checkout")
async def cart_checkout(request: Request, hall: HallDep, tenant: TenantDep, settings: Settings) -> Response:
    """Every card and unit in the cart held, one order each, one payment for all, one address for what is shipped;
    the cart is emptied once the payment exists."""
    owner, token, drop = await _owner(request)
    lines = await cart.lines_of(owner)
    _ = gettext(request)
    if not lines:
        return _cookies(redirect_to(request, "shop:cart"), request, token, drop)
    form = await Form.from_request(request)
    address = None
    if any(line["product"]["delivery"] == "physical" for line in lines):
        try:
            address = delivery.address_values({k: form.value(k) for k in delivery.ADDRESS_FIELDS}, settings)
        except FieldErrors as problems:
            form.take(problems)
            return _cookies(await _page(request, owner, form=form, status=400), request, token, drop)
    subject = "、".join(
        f"{catalog.name_of(line['product'], info(request).language)}×{line['quantity']}" for line in lines
    )
    try:
        _orders, intent = await checkout_cart(
            hall,
            tenant,
            settings,
            [(line["product"], line["quantity"]) for line in lines],
            customer_id=await customer_legacy_id(request),
            subject=subject[:120],
            contact=await buyer_contact(request),
            address=address,
        )
    except OutOfStock:
        return _cookies(await _page(request, owner, notice=_(SOLD_OUT), form=form, status=409), request, token, drop)
    except PaymentError:
        notice = _(N_("Payment is not available just now."))
        page = await _page(request, owner, notice=notice, form=form, status=409)
        return _cookies(page, request, token, drop)
    await cart.clear(owner)
    return _cookies(await checkout_response(request, intent), request, token, drop)


HANDLERS = [cart_page, cart_add, cart_remove, cart_checkout]
