"""Payment pages: the gateways' notification endpoint, the return page, the customer's payment history, and checkout for plugins.

- ``POST /pay/notify/<provider>``: public and CSRF-exempt (the gateway posts
  it); the provider verifies it, the core settles it. A provider the tenant
  has not switched on answers 404.
- ``GET /pay/return/<intent id>``: where the browser comes back. Its query
  string is never trusted: the page shows the state in the database and, if
  still pending, asks the gateway and settles through the same path.
- ``GET /pay/history``: the customer's payments; renders after a provider is switched off.
- :func:`checkout_response` is what a plugin's "pay" handler returns.
"""

from __future__ import annotations

import asyncio
import html
import logging

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.auth.tables import CustomerAccount
from core.localtime import local
from core.payments.intents import get_intent, intents_of, start_checkout
from core.payments.model import OPEN, Intent
from core.payments.notify import handle_notification
from core.payments.providers import ProviderUnavailable
from core.payments.registry import provider_for, provider_label
from core.payments.settle import settle
from core.web.context import info
from core.web.render import hall_of, render
from core.web.security_headers import NONCE_KEY, with_nonce

log = logging.getLogger("hall.payments")
QUERY_TIMEOUT = 5.0  # seconds the return page waits for the gateway before showing "pending"
MOBILE = ("mobile", "android", "iphone", "ipad", "micromessenger", "alipayclient")


def absolute_url(request: Request, path: str) -> str:
    """``path`` inside the tenant (with its /t/<id> prefix), as an absolute URL on the host the request came to."""
    return f"{request.url.scheme}://{request.url.netloc}{info(request).url(path)}"


def channel_of(request: Request) -> str:
    agent = (request.headers.get("user-agent") or "").lower()
    return "wap" if any(word in agent for word in MOBILE) else "pc"


async def checkout_response(request: Request, intent: Intent, *, channel: str | None = None) -> Response:
    """Send the customer's browser to the gateway for ``intent`` (created → pending). Plugins return this from their pay handler."""
    hall = hall_of(request)
    try:
        checkout = await start_checkout(hall, intent.id, channel=channel or channel_of(request),
                                        return_url=absolute_url(request, f"/pay/return/{intent.id}"),
                                        notify_url=absolute_url(request, f"/pay/notify/{intent.provider}"))
    except ProviderUnavailable:
        return await render(request, "pay/unavailable.html", {"intent": intent}, status=503)
    if checkout.form_html:
        html_page = with_nonce(checkout.form_html, request.scope.get(NONCE_KEY, ""))  # its auto-submit script passes the CSP
        return Response(content=html_page, media_type="text/html", headers={"Cache-Control": "no-store"})
    return Redirect(path=checkout.redirect_url, status_code=303)


@post("/pay/notify/{provider_id:str}", opt={"auth": "public", "exclude_from_csrf": True}, include_in_schema=False)
async def pay_notify(request: Request, provider_id: FromPath[str]) -> Response:
    hall = hall_of(request)
    provider = provider_for(hall, info(request).tenant, provider_id)
    if provider is None:
        raise NotFoundException()
    form = {k: str(v) for k, v in (await request.form()).items()}
    status, content_type, body = await handle_notification(hall, provider, form)
    return Response(content=body, status_code=status, media_type=content_type)


async def refresh_from_gateway(hall, tenant, intent: Intent) -> Intent:
    """Ask the gateway about an open intent and settle what it says; on a slow or unreachable gateway keep what we know."""
    provider = provider_for(hall, tenant, intent.provider, switched_off_too=True)
    if provider is None or not intent.open:
        return intent
    try:
        result = await asyncio.wait_for(provider.query(intent.id), QUERY_TIMEOUT)
    except (ProviderUnavailable, TimeoutError, asyncio.TimeoutError) as exc:
        log.info("payment %s: gateway not answering on the return page: %s", intent.id, exc)
        return intent
    if result.intent_id == intent.id and result.status != "unknown":
        await settle(hall, intent.provider, result, source="query")
    return await get_intent(intent.id) or intent


@get("/pay/return/{intent_id:str}", opt={"auth": "public"}, include_in_schema=False)
async def pay_return(request: Request, intent_id: FromPath[str]) -> Response:
    hall = hall_of(request)
    tenant = info(request).tenant
    intent = await get_intent(intent_id[:64])
    if intent is None:
        raise NotFoundException()
    if intent.state in OPEN:
        intent = await refresh_from_gateway(hall, tenant, intent)
    return await render(request, "pay/return.html", {"intent": intent, "provider_label": provider_label(hall, tenant, intent.provider)})


@get("/pay/history", include_in_schema=False)
async def pay_history(request: Request) -> Response:
    hall = hall_of(request)
    tenant = info(request).tenant
    legacy_id = await customer_legacy_id(request)
    intents = await intents_of(customer_id=legacy_id) if legacy_id else []
    labels = {p: provider_label(hall, tenant, p) for p in {i.provider for i in intents}}
    when = {i.id: local(i.created_at, tenant) for i in intents}
    return await render(request, "pay/history.html", {"intents": intents, "labels": labels, "when": when})


async def customer_legacy_id(request: Request) -> str:
    """The logged-in customer's legacy id (what ``create_intent(customer_id=...)`` wants)."""
    customer = info(request).customer
    if customer is None:
        return ""
    account = await CustomerAccount.select(CustomerAccount.customer_legacy_id).where(CustomerAccount.id == customer.id).first()
    return account["customer_legacy_id"] if account else ""


def auto_submit_form(action: str, fields: dict[str, str]) -> str:
    """An auto-submitting POST form, for providers whose gateway wants one (``Checkout.form_html``).

    Its script gets the response's CSP nonce in :func:`checkout_response`; the provider lists the
    action's origin in ``form_origins`` so the policy's form-action lets the form go there.
    """
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items())
    return (f'<!doctype html><html><body><form id="pay" method="post" action="{html.escape(action)}">{inputs}'
            f'<noscript><input type="submit"></noscript></form>'
            f'<script>document.getElementById("pay").submit()</script></body></html>')


HANDLERS = [pay_notify, pay_return, pay_history]
