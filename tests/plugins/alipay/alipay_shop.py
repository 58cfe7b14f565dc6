"""A test-only plugin that takes money through Alipay (the bill-payment plugin comes later): a page with a buy button.

GET /alishop/ shows the button (a real form with the CSRF token, for the
browser test); POST /alishop/buy/<item> asks the core for a payment and sends
the browser to the gateway; ``payment_succeeded`` delivers exactly once by
writing an outbox event in the settlement's transaction.
"""

from litestar import Request, Response, get, post
from litestar.params import FromPath

from core.hookspecs import hookimpl
from core.legacy.outbox import emit
from core.payments import create_intent
from core.web.context import info
from core.payments.routes_customer import checkout_response, customer_legacy_id
from core.web.render import hall_of

PRICES = {"card50": 5000, "card100": 10000}


@get("/")
async def shop(request: Request) -> Response:
    token = request.cookies.get("hall_csrf", "")
    forms = "".join(
        f'<form method="post" action="{info(request).url(f"/alishop/buy/{item}")}"><input type="hidden" name="_csrf_token" '
        f'value="{token}"><button type="submit" id="buy-{item}">充值卡 {item}</button></form>'
        for item in PRICES
    )
    return Response(f"<!doctype html><html><body><main>{forms}</main></body></html>", media_type="text/html")


@post("/buy/{item:str}")
async def buy(request: Request, item: FromPath[str]) -> Response:
    customer = await customer_legacy_id(request)
    form = await request.form()
    intent = await create_intent(
        hall_of(request),
        purpose="card",
        owner="alishop",
        reference=item,
        customer_id=customer,
        amount_fen=PRICES[item],
        provider="alipay",
        subject=f"充值卡 {item}",
        idempotency_key=f"alishop:{customer}:{item}:{form.get('attempt', '1')}",
    )
    return await checkout_response(request, intent)


@hookimpl
def register_routes(hall):
    return [shop, buy]


@hookimpl
def payment_succeeded(hall, tenant, intent):
    return emit(
        "alishop.delivered", {"intent_id": intent.id, "item": intent.reference, "customer_id": intent.customer_id}
    )
