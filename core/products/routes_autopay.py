"""The customer's automatic payment (代扣): sign an agreement per account at a provider, see it, cancel it.

The monthly fees of the account's products that its balance does not cover
are then charged to it by the charge run (core/products/autopay.py). Signing
is the provider's page; the agreement is active only once the provider's
verified notification says so (``POST /pay/agreement-notify/<provider>``).
"""

from __future__ import annotations

import logging

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from core.auth.customers import linked_numbers
from core.payments.agreements import agreement_providers, agreements_of, cancel_agreement, start_signing
from core.payments.model import PaymentError
from core.payments.providers import ProviderUnavailable
from core.payments.registry import provider_label
from core.payments.routes_customer import absolute_url, channel_of, customer_legacy_id
from core.products.lines import mirror_numbers
from core.products.views import accounts_of_numbers
from core.web.context import info
from core.web.dependencies import HallDep, TenantDep
from core.web.render import redirect_to, render
from core.web.urls import url_for

log = logging.getLogger("hall.products")
CUSTOMER = {"auth": "customer"}
SHOWN = ("pending", "active")


async def _accounts(request: Request) -> list[str]:
    numbers = await linked_numbers(info(request).customer.id)
    await mirror_numbers(numbers)
    return await accounts_of_numbers(numbers)


async def _page(request: Request, hall, tenant, *, notice: str = "", status: int = 200) -> Response:
    customer_id = await customer_legacy_id(request)
    accounts = await _accounts(request)
    mine = await agreements_of(customer_id=customer_id)
    providers = agreement_providers(hall, tenant)
    rows = []
    for account in accounts:
        current = [a for a in mine if a["account_legacy_id"] == account and a["state"] in SHOWN]
        rows.append({"account": account, "agreement": current[0] if current else None})
    labels = {p: provider_label(hall, tenant, p) for p in {*providers, *(a["provider"] for a in mine)}}
    ended = [a for a in mine if a["state"] not in SHOWN][:10]
    if notice == "returned" and not any(r["agreement"] and r["agreement"]["state"] == "pending" for r in rows):
        notice = ""  # confirmed meanwhile: the state says it
    context = {"rows": rows, "providers": providers, "labels": labels, "ended": ended, "notice": notice}
    return await render(request, "products/my_autopay.html", context, status=status)


@get("/account/autopay", opt=CUSTOMER, name="account:autopay")
async def my_autopay(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    done = request.query_params.get("done", "")
    return await _page(request, hall, tenant, notice="returned" if done else "")


@post("/account/autopay/sign", opt=CUSTOMER, name="account:autopay.sign")
async def sign(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    form = await request.form()
    account, provider = str(form.get("account", ""))[:64], str(form.get("provider", ""))[:32]
    if account not in await _accounts(request) or provider not in agreement_providers(hall, tenant):
        return await _page(request, hall, tenant, notice="invalid", status=400)
    try:
        _, checkout = await start_signing(
            hall,
            customer_id=await customer_legacy_id(request),
            account=account,
            provider_id=provider,
            channel="wap" if channel_of(request) != "pc" else "pc",
            return_url=lambda _id: absolute_url(request, url_for(request, "account:autopay", query={"done": "1"})),
            notify_url=absolute_url(request, url_for(request, "pay:agreement_notify", provider_id=provider)),
            charge_notify_url=absolute_url(request, url_for(request, "pay:notify", provider_id=provider)),
            subject=info(request).tenant.display_name(info(request).language),
        )
    except (ProviderUnavailable, PaymentError) as exc:
        log.warning("automatic payment: signing at %s failed: %s", provider, exc)
        return await _page(request, hall, tenant, notice="unavailable", status=503)
    return Redirect(path=checkout.redirect_url, status_code=303)


@post("/account/autopay/{agreement_id:str}/cancel", opt=CUSTOMER, name="account:autopay.cancel")
async def cancel(request: Request, agreement_id: FromPath[str], hall: HallDep, tenant: TenantDep) -> Response:
    customer_id = await customer_legacy_id(request)
    if not any(a["public_id"] == agreement_id for a in await agreements_of(customer_id=customer_id)):
        raise NotFoundException()
    try:
        await cancel_agreement(hall, agreement_id, actor=customer_id, actor_kind="customer", reason="customer")
    except ProviderUnavailable as exc:
        log.warning("automatic payment: cancelling %s failed: %s", agreement_id, exc)
        return await _page(request, hall, tenant, notice="unavailable", status=503)
    return redirect_to(request, "account:autopay")


HANDLERS = [my_autopay, sign, cancel]
