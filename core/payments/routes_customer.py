"""Payment pages: the gateways' notification endpoint, the return page, the customer's payment history, and checkout for plugins.

- ``POST /pay/notify/<provider>``: public and CSRF-exempt (the gateway posts
  it); the provider verifies it, the core settles it. A provider the tenant
  has not switched on answers 404.
- ``GET /pay/return/<intent id>/<token>``: where the browser comes back (the
  token is signed and short-lived: core/payments/return_links.py); without a
  token, only for the payer's own session. Its query string is never trusted:
  the page shows the state in the database and, if still pending, asks the
  gateway (at most every :data:`QUERY_EVERY` per payment) and settles through the same path.
- ``GET /pay/history``: the customer's payments; renders after a provider is switched off.
- :func:`checkout_response` is what a plugin's "pay" handler returns.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.auth.tables import CustomerAccount
from core.payments import ledger
from core.localtime import local
from core.payments.intents import choose_provider, get_intent, intents_of, start_checkout
from core.payments.model import CREATED, OPEN, Intent, PaymentError, now
from core.payments.notify import handle_notification, handle_request
from core.payments.providers import CHANNELS, ProviderUnavailable
from core.payments.registry import provider_for, provider_label, providers_usable_in
from core.payments.return_links import make_token, token_valid
from core.payments.settle import settle
from core.payments.tables import PaymentEvent
from core.tenancy import require_tenant
from core.web.context import info
from core.web.render import hall_of, render
from core.web.security_headers import NONCE_KEY, with_nonce
from core.web.urls import url_for

log = logging.getLogger("hall.payments")
QUERY_TIMEOUT = 5.0  # seconds the return page waits for the gateway before showing "pending"
QUERY_EVERY = dt.timedelta(
    seconds=10
)  # the return page asks the gateway about one payment at most this often (reloads)
MOBILE = ("mobile", "android", "iphone", "ipad")
IN_APP = ("micromessenger", "alipayclient")  # WeChat's and Alipay's own browsers


def absolute_url(request: Request, url: str) -> str:
    """``url`` (from ``url_for``: already with its /t/<id> prefix) as an absolute URL on the host the request came to."""
    return f"{request.url.scheme}://{request.url.netloc}{url}"


def channel_of(request: Request) -> str:
    """ "inapp" inside a payment app's own browser, "wap" on a phone, "pc" otherwise (the provider may map it: intents.channel_for)."""
    agent = (request.headers.get("user-agent") or "").lower()
    if any(word in agent for word in IN_APP):
        return "inapp"
    return "wap" if any(word in agent for word in MOBILE) else "pc"


async def checkout_response(
    request: Request, intent: Intent, *, channel: str | None = None, chosen: bool = False
) -> Response:
    """Send the customer's browser to the gateway for ``intent`` (created → pending). Plugins return this from their pay handler.

    When the tenant takes money with more than one provider and the intent has not gone
    to a gateway yet, the customer first chooses one (``pay/choose.html``, :func:`pay_choose`).
    """
    hall = hall_of(request)
    tenant = info(request).tenant
    choices = providers_usable_in(hall, tenant, request.headers.get("user-agent") or "")
    if not chosen and intent.state == CREATED and intent.provider not in choices:
        try:  # inside a payment app's browser, its own provider is the only choice
            intent = await choose_provider(hall, intent.id, choices[0])
        except PaymentError as exc:
            log.info("payment %s: kept its provider: %s", intent.id, exc)
    if not chosen and intent.state == CREATED and len(choices) > 1:
        page = await render(
            request,
            "pay/choose.html",
            {
                "intent": intent,
                "choices": [(p, provider_label(hall, tenant, p)) for p in choices],
                "action": url_for(
                    request,
                    "pay:choose",
                    intent_id=intent.id,
                    token=make_token(hall.secret, require_tenant().id, intent.id),
                ),
                "channel": channel or "",
            },
        )
        page.headers["Cache-Control"] = "no-store"
        return page
    return await send_to_gateway(request, intent, channel or channel_of(request))


async def send_to_gateway(request: Request, intent: Intent, channel: str, *, payer_id: str = "") -> Response:
    """Open the intent's checkout at its gateway and send the browser there (a redirect, a code to scan, a form or a page)."""
    hall = hall_of(request)
    token = make_token(hall.secret, require_tenant().id, intent.id)
    try:
        checkout = await start_checkout(
            hall,
            intent.id,
            channel=channel,
            return_url=absolute_url(request, return_url(request, intent.id)),
            notify_url=absolute_url(request, url_for(request, "pay:notify", provider_id=intent.provider)),
            client_ip=(request.client.host if request.client else ""),
            payer_id=payer_id,
            payer_url=absolute_url(request, url_for(request, "pay:payer", intent_id=intent.id, token=token)),
        )
    except ProviderUnavailable:
        return await render(request, "pay/unavailable.html", {"intent": intent}, status=503)
    except (
        PaymentError
    ) as exc:  # canceled meanwhile (another request replaced it) or its provider switched off: say so, never a 500
        log.info("payment %s: no checkout: %s", intent.id, exc)
        now = await get_intent(intent.id) or intent
        return await render(
            request,
            "pay/return.html",
            {"intent": now, "provider_label": provider_label(hall, info(request).tenant, now.provider)},
            status=409,
        )
    if checkout.qr_code:  # scan to pay (core/payments/routes_scan.py)
        from core.payments.routes_scan import remember_code, scan_url

        await remember_code(intent, checkout.qr_code)
        return Redirect(path=scan_url(request, intent.id), status_code=303)
    if checkout.form_html:
        html_page = with_nonce(
            checkout.form_html, request.scope.get(NONCE_KEY, "")
        )  # its auto-submit script passes the CSP
        return Response(content=html_page, media_type="text/html", headers={"Cache-Control": "no-store"})
    return Redirect(path=checkout.redirect_url, status_code=303)


@post(
    "/pay/notify/{provider_id:str}",
    opt={"auth": "public", "exclude_from_csrf": True},
    include_in_schema=False,
    name="pay:notify",
)
async def pay_notify(request: Request, provider_id: FromPath[str]) -> Response:
    hall = hall_of(request)
    provider = provider_for(hall, info(request).tenant, provider_id)
    if provider is None:
        raise NotFoundException()
    if hasattr(provider, "verify_request"):  # a signed JSON body (WeChat Pay v3): the provider reads body and headers
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, content_type, body = await handle_request(hall, provider, await request.body(), headers)
        return Response(content=body, status_code=status, media_type=content_type)
    form = {k: str(v) for k, v in (await request.form()).items()}
    status, content_type, body = await handle_notification(hall, provider, form)
    return Response(content=body, status_code=status, media_type=content_type)


@post("/pay/choose/{intent_id:str}/{token:str}", opt={"auth": "public"}, include_in_schema=False, name="pay:choose")
async def pay_choose(request: Request, intent_id: FromPath[str], token: FromPath[str]) -> Response:
    """The customer's choice of gateway (the signed token stands for the payer, as on the return page), then its checkout."""
    hall = hall_of(request)
    intent = await get_intent(intent_id[:64])
    if intent is None or not token_valid(hall.secret, info(request).tenant.id, intent.id, token[:64]):
        raise NotFoundException()
    form = await request.form()
    try:
        intent = await choose_provider(hall, intent.id, str(form.get("provider", ""))[:32])
    except PaymentError as exc:  # gone to a gateway meanwhile (another tab): it goes on with its own provider
        log.info("payment %s: choice refused: %s", intent.id, exc)
        intent = await get_intent(intent.id) or intent
    channel = str(form.get("channel", ""))
    return await checkout_response(request, intent, channel=channel if channel in CHANNELS else None, chosen=True)


def return_url(request: Request, intent_id: str) -> str:
    """Where the gateway sends the payer back to (inside the tenant, with its prefix), with its signed token."""
    return url_for(
        request,
        "pay:return.signed",
        intent_id=intent_id,
        token=make_token(hall_of(request).secret, require_tenant().id, intent_id),
    )


async def _asked_lately(intent_id: str) -> bool:
    """Whether the gateway was asked about this payment within QUERY_EVERY (the ledger keeps every answer)."""
    since = now() - QUERY_EVERY
    return await PaymentEvent.exists().where(
        (PaymentEvent.intent_id == intent_id) & (PaymentEvent.kind == "query") & (PaymentEvent.created_at > since)
    )


async def refresh_from_gateway(hall, tenant, intent: Intent, *, unless_asked_lately: bool = False) -> Intent:
    """Ask the gateway about an open intent and settle what it says; on a slow or unreachable gateway keep what we know.

    ``unless_asked_lately``: not if it was asked within QUERY_EVERY (a page
    reloaded in a loop must not turn into a flood of gateway queries).
    """
    provider = provider_for(hall, tenant, intent.provider, switched_off_too=True)
    if provider is None or not intent.open:
        return intent
    if unless_asked_lately and await _asked_lately(intent.id):
        return intent
    try:
        result = await asyncio.wait_for(provider.query(intent.id), QUERY_TIMEOUT)
    except (ProviderUnavailable, TimeoutError) as exc:
        log.info("payment %s: gateway not answering on the return page: %s", intent.id, exc)
        await ledger.record(
            "query", intent.id, provider=intent.provider, accepted=False, reason=f"gateway unavailable: {exc}"
        )
        return intent
    if result.intent_id == intent.id and result.status != "unknown":
        await settle(hall, intent.provider, result, source="query")
    else:
        await ledger.record("query", intent.id, provider=intent.provider, reason=f"gateway status {result.status}")
    return await get_intent(intent.id) or intent


async def _return_page(request: Request, intent: Intent) -> Response:
    hall = hall_of(request)
    tenant = info(request).tenant
    if intent.state in OPEN:
        intent = await refresh_from_gateway(hall, tenant, intent, unless_asked_lately=True)
    page = await render(
        request, "pay/return.html", {"intent": intent, "provider_label": provider_label(hall, tenant, intent.provider)}
    )
    page.headers["Referrer-Policy"] = "no-referrer"  # the token in this page's URL goes to no other site
    return page


@get(
    "/pay/return/{intent_id:str}/{token:str}", opt={"auth": "public"}, include_in_schema=False, name="pay:return.signed"
)
async def pay_return(request: Request, intent_id: FromPath[str], token: FromPath[str]) -> Response:
    """The gateway's way back: the signed token stands for the payer (who may have lost the session on the gateway's pages)."""
    intent = await get_intent(intent_id[:64])
    if intent is None or not token_valid(hall_of(request).secret, info(request).tenant.id, intent.id, token[:64]):
        raise NotFoundException()
    return await _return_page(request, intent)


@get("/pay/return/{intent_id:str}", opt={"auth": "public"}, include_in_schema=False, name="pay:return")
async def pay_return_own(request: Request, intent_id: FromPath[str]) -> Response:
    """The same page for the payer's own session (no token): anyone else gets 404, as for a payment that does not exist."""
    intent = await get_intent(intent_id[:64])
    legacy_id = await customer_legacy_id(request)
    if intent is None or not legacy_id or intent.customer_id != legacy_id:
        raise NotFoundException()
    return await _return_page(request, intent)


@get("/pay/history", include_in_schema=False, name="pay:history")
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
    account = (
        await CustomerAccount.select(CustomerAccount.customer_legacy_id)
        .where(CustomerAccount.id == customer.id)
        .first()
    )
    return account["customer_legacy_id"] if account else ""


def auto_submit_form(action: str, fields: dict[str, str]) -> str:
    """An auto-submitting POST form, for providers whose gateway wants one (``Checkout.form_html``).

    Its script gets the response's CSP nonce in :func:`checkout_response`; the provider lists the
    action's origin in ``form_origins`` so the policy's form-action lets the form go there.
    """
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items()
    )
    return (
        f'<!doctype html><html><body><form id="pay" method="post" action="{html.escape(action)}">{inputs}'
        f'<noscript><input type="submit"></noscript></form>'
        f'<script>document.getElementById("pay").submit()</script></body></html>'
    )


HANDLERS = [pay_notify, pay_choose, pay_return, pay_return_own, pay_history]
