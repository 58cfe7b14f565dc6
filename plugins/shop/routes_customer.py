"""The shop for customers: the catalog (anyone), buying an electronic card, my orders, the PIN shown once and again by code."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api import N_, mask_contact
from core.api.identity import customer_for_account, otp
from core.api.payments import PaymentError, checkout_response, customer_legacy_id
from core.api.web import (
    GUESS_WAIT,
    SEND_WAIT,
    Form,
    HallDep,
    NamedDependency,
    TenantDep,
    client_address,
    gettext,
    info,
    query_int,
    redirect_to,
    refused_until,
    render,
    send_code,
    until,
)
from plugins.shop import aftersales, catalog, delivery, reveal
from plugins.shop.audit import free_stock
from plugins.shop.images import images_of
from plugins.shop.warehouse import available
from plugins.shop.buyer import buyer_contact
from plugins.shop.checkout import checkout
from plugins.shop.orders import (
    OutOfStock,
    cancel_paid_without_card,
    cancel_unpaid,
    order_by_number,
    orders_of,
)
from plugins.shop.pins import keys_for
from plugins.shop.settings import ShopSettings
from plugins.shop.tables import PHYSICAL, Product

PUBLIC = {"auth": "public"}


async def left_of(product: dict) -> int:
    """What a buyer can still get: free cards, or a physical product's stock not promised to paid orders."""
    return await available(product["id"]) if product["delivery"] == "physical" else await free_stock(product["id"])


CUSTOMER = {"auth": "customer"}
Settings = NamedDependency[ShopSettings]
OUT_OF_STOCK = N_("This card is sold out just now. Please try again later.")


@get("/", opt=PUBLIC, name="shop:index")
async def index(request: Request) -> Response:
    """The catalog: categories (any depth), search, each product with its price now."""
    category = query_int(request, "category", default=0, high=2**31 - 1)
    search = str(request.query_params.get("q") or "").strip()[:40]
    member = info(request).customer is not None
    rows = await catalog.products(category_id=category or None, search=search)
    items = [{**p, "now_fen": catalog.price_now(p, member=member), "left": await left_of(p)} for p in rows]
    pictures = await images_of([p["id"] for p in rows])
    items = [{**p, "images": pictures.get(p["id"], [])} for p in items]
    return await render(
        request,
        "shop/index.html",
        {"products": items, "categories": await catalog.category_tree(), "category": category, "q": search},
    )


async def _product_or_404(code: str) -> dict:
    product = await catalog.product_by_code(code)
    if product is None:
        raise NotFoundException()
    return product


async def product_page_response(
    request: Request, product: dict, *, notice: str = "", status: int = 200, form: Form | None = None
) -> Response:
    """The product page; a physical product's with the address form (``form``: what was typed, with its errors)."""
    ri = info(request)
    member = ri.customer is not None
    settings = ri.tenant.plugin_settings("shop")
    return await render(
        request,
        "shop/product.html",
        {
            "product": product,
            "now_fen": catalog.price_now(product, member=member),
            "left": await left_of(product),
            "notice": notice,
            "form": form or Form({"method": settings.shipping_methods[0].code}),
            "methods": settings.shipping_methods,
            "images": (await images_of([product["id"]])).get(product["id"], []),
        },
        status=status,
    )


@get("/p/{code:str}", opt=PUBLIC, name="shop:product")
async def product_page(request: Request, code: FromPath[str]) -> Response:
    product = await _product_or_404(code)
    await catalog.count_view(product["id"])
    return await product_page_response(request, product)


@post("/p/{code:str}/buy", opt=CUSTOMER, name="shop:buy")
async def buy(request: Request, code: FromPath[str], hall: HallDep, tenant: TenantDep, settings: Settings) -> Response:
    """Checkout: an order with a card held for it, then the payment gateway."""
    product = await _product_or_404(code)
    _ = gettext(request)
    if product["delivery"] != "electronic":
        raise NotFoundException()
    name = catalog.name_of(product, info(request).language)
    try:
        _order, intent = await checkout(
            hall,
            tenant,
            settings,
            product=product,
            customer_id=await customer_legacy_id(request),
            subject=name,
            contact=await buyer_contact(request),
        )
    except OutOfStock:
        return await product_page_response(request, product, notice=_(OUT_OF_STOCK), status=409)
    except PaymentError:
        return await product_page_response(
            request, product, notice=_(N_("Payment is not available just now.")), status=409
        )
    return await checkout_response(request, intent)


@get("/orders", opt=CUSTOMER, name="shop:orders")
async def my_orders(request: Request) -> Response:
    rows = await orders_of(await customer_legacy_id(request))
    return await render(request, "shop/orders.html", {"orders": rows})


async def own_order(request: Request, number: str) -> dict:
    order = await order_by_number(number)
    if order is None or order["customer_id"] != await customer_legacy_id(request):
        raise NotFoundException()  # another customer's order is as absent as a made-up one
    return order


async def _contacts(request: Request) -> dict[str, str]:
    _account, customer = await customer_for_account(info(request).customer.id)
    return {k: v for k, v in (("sms", customer["phone"]), ("email", customer["email"])) if v}


async def _order_page(request: Request, order: dict, *, card=None, form=None, flow="", status=200) -> Response:
    product = await Product.select().where(Product.id == order["product_id"]).first()
    contacts = await _contacts(request)
    parcel = await delivery.delivery_of(order["id"]) if order["kind"] == PHYSICAL else None
    page = await render(
        request,
        "shop/order.html",
        {
            "order": order,
            "product": product,
            "card": card,
            "form": form or Form({"channel": "sms"}),
            "flow": flow,
            "trail": await reveal.trail_of(order["id"]),
            "contacts": {k: mask_contact(v) for k, v in contacts.items()},
            "delivery": parcel,
            "steps": delivery.steps_of(order) if parcel else [],
            "settings": info(request).tenant.plugin_settings("shop"),
            **await aftersales.page_context(order),
        },
        status=status,
    )
    page.headers["Cache-Control"] = "no-store"
    page.headers["Referrer-Policy"] = "no-referrer"
    return page


order_page_with = _order_page  # the order's page with a posted form's errors (routes_aftersales.py)


@get("/orders/{number:str}", opt=CUSTOMER, name="shop:order")
async def order_page(request: Request, number: FromPath[str]) -> Response:
    return await _order_page(request, await own_order(request, number))


@post("/orders/{number:str}/show", opt=CUSTOMER, name="shop:order.show")
async def show_first(request: Request, number: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    """The PIN, the first time (a second post shows nothing: the code is needed)."""
    order = await own_order(request, number)
    card = await reveal.first_view(keys_for(hall, tenant), order, client_address(request))
    return await _order_page(request, await own_order(request, number), card=card)


@post("/orders/{number:str}/code", opt=CUSTOMER, name="shop:order.code")
async def send_pin_code(request: Request, number: FromPath[str], hall: HallDep) -> Response:
    """A fresh one-time code to the phone or e-mail on file, to see the PIN again."""
    order = await own_order(request, number)
    form = await Form.from_request(request)
    contacts = await _contacts(request)
    channel = form.value("channel") or "sms"
    identity = f"cust:{order['customer_id']}"
    if channel not in contacts:
        form.error("channel", N_("We have no contact of that kind on file for you. Choose the other way."))
    elif retry_at := await refused_until(request, recipient=contacts[channel], identity=identity):
        form.error("channel", SEND_WAIT, time=until(request, retry_at))
    if not form.valid:
        return await _order_page(request, order, form=form, status=400)
    flow, code = await otp.issue(
        secret=hall.secret,
        purpose=reveal.PURPOSE,
        subject=order["number"],
        minutes=hall.deployment.security.otp_minutes,
        identity=identity,
    )
    await send_code(request, channel=channel, recipient=contacts[channel], code=code, purpose=reveal.PURPOSE)
    return await _order_page(request, order, form=Form({"channel": channel}), flow=flow)


@post("/orders/{number:str}/again", opt=CUSTOMER, name="shop:order.again")
async def show_again(request: Request, number: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    order = await own_order(request, number)
    form = await Form.from_request(request)
    form.require("code")
    flow = form.value("flow")
    if form.valid:
        security = hall.deployment.security
        result, row, retry_at = await otp.check(
            secret=hall.secret,
            purpose=reveal.PURPOSE,
            flow=flow,
            code=form.value("code"),
            max_attempts=security.otp_max_attempts,
            guesses_per_day=security.otp_guesses_per_day,
        )
        if result == "ok" and row["subject"] == order["number"]:
            card = await reveal.view_again(keys_for(hall, tenant), order, client_address(request))
            return await _order_page(request, order, card=card)
        if result == "wrong":
            form.error("code", N_("That code is not right. Check it and try again."))
        elif result == "throttled":
            form.error("code", GUESS_WAIT, time=until(request, retry_at))
        else:
            form.error("code", N_("That code has expired or was tried too often. Ask for a new one."))
            flow = ""
    return await _order_page(request, order, form=form, flow=flow, status=400)


@post("/orders/{number:str}/cancel", opt=CUSTOMER, name="shop:order.cancel")
async def cancel_order(request: Request, number: FromPath[str], hall: HallDep) -> Response:
    order = await own_order(request, number)
    if order["state"] == "paid" and order["kind"] == PHYSICAL:
        await delivery.cancel_before_shipping(hall, order, reason="canceled by the buyer before shipping")
    elif order["state"] == "paid":
        await cancel_paid_without_card(hall, order, reason="canceled by the buyer: no card in stock")
    else:
        await cancel_unpaid(hall, order, reason="canceled by the buyer")
    return redirect_to(request, "shop:order", number=order["number"])


HANDLERS = [index, product_page, buy, my_orders, order_page, show_first, send_pin_code, show_again, cancel_order]
