"""A test-only plugin that takes money: the whole of it is what a real plugin (bill payment, card shop) needs.

POST /testshop/buy/<item> (registered as ``testshop``: the bundled ``shop`` plugin has
the plain name) asks for a payment and sends the browser to the gateway; ``payment_succeeded`` delivers the item, exactly once, by writing a
``shop.delivered`` event to the legacy outbox in the settlement's transaction.
"""

from litestar import Request, Response, post
from litestar.params import FromPath

from core.api import hookimpl
from core.api.legacy import emit
from core.api.payments import checkout_response, create_intent, customer_legacy_id
from core.api.web import hall_of

PRICES = {"card50": 5000, "card100": 10000}


@post("/buy/{item:str}")
async def buy(request: Request, item: FromPath[str]) -> Response:
    customer = await customer_legacy_id(request)
    form = await request.form()
    intent = await create_intent(
        hall_of(request),
        purpose="card",
        owner="testshop",
        reference=item,
        customer_id=customer,
        amount_fen=PRICES[item],
        provider="fake",
        subject=f"充值卡 {item}",
        idempotency_key=f"shop:{customer}:{item}:{form.get('attempt', '1')}",
    )
    return await checkout_response(request, intent)  # 303 to the gateway (or its auto-submitting form)


@hookimpl
def register_routes(hall):
    return [buy]


@hookimpl
def payment_succeeded(hall, tenant, intent):  # called once, only for the owner, inside the settlement's transaction
    return emit("shop.delivered", {"intent_id": intent.id, "item": intent.reference, "customer_id": intent.customer_id})
