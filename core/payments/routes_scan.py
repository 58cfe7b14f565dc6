"""Scan to pay: a gateway that answers a checkout with a code to scan (WeChat Pay Native) gets this page, not a redirect.

A provider returns ``Checkout(qr_code=...)``; :func:`checkout_response` keeps the
code in the payment's ledger and sends the browser to ``GET /pay/scan/<intent>/<token>``
(the token of the return page: it stands for the payer). The page shows the code as
an image and reloads itself every few seconds; once the payment is no longer open
(the notification came, or the gateway, asked at most every 10 s, says so) it goes
on to the return page.
"""

from __future__ import annotations

import json

import segno
from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.payments import ledger
from core.payments.intents import get_intent
from core.payments.model import Intent
from core.payments.registry import provider_label
from core.payments.return_links import make_token, token_valid
from core.payments.tables import PaymentEvent
from core.tenancy import require_tenant
from core.web.context import info
from core.web.render import hall_of, render
from core.web.urls import url_for

RELOAD_SECONDS = 3


async def remember_code(intent: Intent, code: str) -> None:
    await ledger.record("checkout", intent.id, provider=intent.provider, reason="code to scan", data={"qr_code": code})


async def latest_code(intent_id: str) -> str:
    rows = (
        await PaymentEvent.select(PaymentEvent.data)
        .where((PaymentEvent.intent_id == intent_id) & (PaymentEvent.kind == "checkout"))
        .order_by(PaymentEvent.id, ascending=False)
        .limit(20)
    )
    for row in rows:
        data = row["data"] if isinstance(row["data"], dict) else json.loads(row["data"] or "{}")
        if data.get("qr_code"):
            return str(data["qr_code"])
    return ""


def scan_url(request: Request, intent_id: str) -> str:
    token = make_token(hall_of(request).secret, require_tenant().id, intent_id)
    return url_for(request, "pay:scan", intent_id=intent_id, token=token)


@get("/pay/scan/{intent_id:str}/{token:str}", opt={"auth": "public"}, include_in_schema=False, name="pay:scan")
async def pay_scan(request: Request, intent_id: FromPath[str], token: FromPath[str]) -> Response:
    from core.payments.routes_customer import refresh_from_gateway

    hall, tenant = hall_of(request), info(request).tenant
    intent = await get_intent(intent_id[:64])
    if intent is None or not token_valid(hall.secret, tenant.id, intent.id, token[:64]):
        raise NotFoundException()
    back = url_for(request, "pay:return.signed", intent_id=intent.id, token=token[:64])
    if intent.open:
        intent = await refresh_from_gateway(hall, tenant, intent, unless_asked_lately=True)
    code = await latest_code(intent.id) if intent.open else ""
    if not code:
        return Redirect(path=back, status_code=303)
    page = await render(
        request,
        "pay/scan.html",
        {
            "intent": intent,
            "provider_label": provider_label(hall, tenant, intent.provider),
            "qr_image": segno.make(code, error="m").png_data_uri(scale=6, border=2),
            "open_link": code if code.startswith(("http://", "https://")) else "",
            "back": back,
            "reload_seconds": RELOAD_SECONDS,
        },
    )
    page.headers["Cache-Control"] = "no-store"
    page.headers["Referrer-Policy"] = "no-referrer"
    return page


HANDLERS = [pay_scan]
