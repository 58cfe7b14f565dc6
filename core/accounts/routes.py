"""Accounts and balances (账户): the signed-in customer's billing accounts, their numbers, billing type and balance."""

from __future__ import annotations

from litestar import Request, Response, get

from core.accounts import services
from core.accounts.views import balance_view
from core.web.context import info
from core.web.dependencies import HallDep, TenantDep
from core.web.render import render


def actions_for(request: Request, hall, tenant, account) -> list[tuple[str, str]]:
    """What enabled plugins offer with this account (bills: its bills; billpay: paying them), via ``account_actions``."""
    found = hall.hooks_for(tenant).account_actions(hall=hall, tenant=tenant, request=request, account=account)
    return [action for answer in found for action in (answer or [])]


@get("/account/billing", name="account:billing")
async def my_accounts(request: Request, hall: HallDep, tenant: TenantDep) -> Response:
    accounts = await services.billing_accounts(info(request).customer.id)
    balances = await services.balances(hall, tenant, accounts)
    rows = [
        {"account": a, "balance": balance_view(request, b), "actions": actions_for(request, hall, tenant, a)}
        for a, b in zip(accounts, balances)
    ]
    return await render(request, "account/billing.html", {"rows": rows})


HANDLERS = [my_accounts]
