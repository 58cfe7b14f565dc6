"""``GET /pay/payer/<intent>/<token>``: the gateway's sign-in comes back here with who pays, and the checkout goes on.

An in-app payment (WeChat Pay JSAPI inside WeChat's browser) needs the payer's
identity at the gateway (the openid) before the order can be placed: the
provider's first checkout answers with a redirect to the gateway's silent
sign-in, which returns the browser here with a one-time code. The provider turns
the code into the payer's id (``identify_payer``), and the core asks for the
checkout again with it. The signed token stands for the payer, as on the return page.
"""

from __future__ import annotations

import logging

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.payments.intents import get_intent
from core.payments.providers import ProviderUnavailable
from core.payments.registry import provider_for
from core.payments.return_links import token_valid
from core.payments.routes_customer import send_to_gateway
from core.web.context import info
from core.web.render import hall_of, render

log = logging.getLogger("hall.payments")


@get("/pay/payer/{intent_id:str}/{token:str}", opt={"auth": "public"}, include_in_schema=False, name="pay:payer")
async def pay_payer(request: Request, intent_id: FromPath[str], token: FromPath[str]) -> Response:
    hall = hall_of(request)
    tenant = info(request).tenant
    intent = await get_intent(intent_id[:64])
    if intent is None or not token_valid(hall.secret, tenant.id, intent.id, token[:64]):
        raise NotFoundException()
    provider = provider_for(hall, tenant, intent.provider)
    if provider is None or not hasattr(provider, "identify_payer"):
        raise NotFoundException()
    query = {k: str(v)[:512] for k, v in request.query_params.items()}
    try:
        payer_id = await provider.identify_payer(query)
    except ProviderUnavailable as exc:
        log.info("payment %s: payer not identified, gateway unavailable: %s", intent.id, exc)
        return await render(request, "pay/unavailable.html", {"intent": intent}, status=503)
    except ValueError as exc:  # a used, forged or expired code: nothing was charged; the pay button starts again
        log.info("payment %s: payer not identified: %s", intent.id, exc)
        return await render(request, "pay/payer_unknown.html", {"intent": intent}, status=400)
    return await send_to_gateway(request, intent, "inapp", payer_id=payer_id)


HANDLERS = [pay_payer]
