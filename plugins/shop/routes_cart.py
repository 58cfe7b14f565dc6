"""The cart: anyone adds cards (a visitor's cart lives under a cookie token); a customer checks it out in one payment."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie

from core.api import N_
from core.api.payments import PaymentError, checkout_response, customer_legacy_id
from core.api.web import Form, HallDep, NamedDependency, TenantDep, gettext, info, parse_int, redirect_to, render
from plugins.shop import cart, catalog
from plugins.shop.buyer import buyer_contact
from plugins.shop.orders import OutOfStock, checkout_many
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


async def _page(request: Request, owner: str, *, notice: str = "", status: int = 200) -> Response:
    member = info(request).customer is not None
    lines = [
        {**line, "each_fen": catalog.price_now(line["product"], member=member)} for line in await cart.lines_of(owner)
    ]
    total = sum(line["each_fen"] * line["quantity"] for line in lines)
    return await render(
        request, "shop/cart.html", {"lines": lines, "total_fen": total, "notice": notice}, status=status
    )


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
    if product is not None and product["delivery"] == "electronic" and quantity is not None:
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
    """Every card in the cart held, one order each, one payment for all; the cart is emptied once the payment exists."""
    owner, token, drop = await _owner(request)
    lines = await cart.lines_of(owner)
    _ = gettext(request)
    if not lines:
        return _cookies(redirect_to(request, "shop:cart"), request, token, drop)
    subject = "、".join(
        f"{catalog.name_of(line['product'], info(request).language)}×{line['quantity']}" for line in lines
    )
    try:
        _orders, intent = await checkout_many(
            hall,
            tenant,
            settings,
            [(line["product"], line["quantity"]) for line in lines],
            customer_id=await customer_legacy_id(request),
            subject=subject[:120],
            contact=await buyer_contact(request),
        )
    except OutOfStock:
        return _cookies(await _page(request, owner, notice=_(SOLD_OUT), status=409), request, token, drop)
    except PaymentError:
        page = await _page(request, owner, notice=_(N_("Payment is not available just now.")), status=409)
        return _cookies(page, request, token, drop)
    await cart.clear(owner)
    return _cookies(await checkout_response(request, intent), request, token, drop)


HANDLERS = [cart_page, cart_add, cart_remove, cart_checkout]
