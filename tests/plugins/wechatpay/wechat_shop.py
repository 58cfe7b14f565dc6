"""A test-only plugin that takes money with the tenant's default provider (whatever create_intent's caller names)."""

from litestar import Request, Response, post
from litestar.params import FromPath

from core.api import hookimpl
from core.api.legacy import emit
from core.api.payments import checkout_response, create_intent, customer_legacy_id, enabled_providers
from core.api.web import hall_of, info

PRICES = {"card50": 5000, "card100": 10000}


@post("/buy/{item:str}")
async def buy(request: Request, item: FromPath[str]) -> Response:
    customer = await customer_legacy_id(request)
    form = await request.form()
    hall = hall_of(request)
    intent = await create_intent(
        hall,
        purpose="card",
        owner="wxshop",
        reference=item,
        customer_id=customer,
        amount_fen=PRICES[item],
        provider=enabled_providers(hall, info(request).tenant)[0],
        subject=f"充值卡 {item}",
        idempotency_key=f"wxshop:{customer}:{item}:{form.get('attempt', '1')}",
    )
    return await checkout_response(request, intent)


@hookimpl
def register_routes(hall):
    return [buy]


@hookimpl
def payment_succeeded(hall, tenant, intent):
    return emit("wxshop.delivered", {"intent_id": intent.id, "item": intent.reference})
