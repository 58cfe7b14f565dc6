"""Billing accounts, an always-on core plugin: the customer's Accounts and balances page (account:billing) and its menu item."""

from __future__ import annotations

from core.hookspecs import hookimpl
from core.i18n import N_
from core.web.menus import GROUP_ACCOUNT, MenuItem

BILLING_LABELS = {"postpaid": N_("Postpaid"), "prepaid": N_("Prepaid")}


def offered(hall, tenant) -> bool:
    """The page is worth a menu entry where there are bills or balances to show."""
    from core.legacy.ports import BalanceSource

    return tenant.enables("bills") or tenant.enables("billpay") or isinstance(hall.connector(tenant), BalanceSource)


@hookimpl
def register_routes(hall):
    from core.accounts import routes

    return list(routes.HANDLERS)


@hookimpl
def register_labels(hall):
    return {"account_billing": BILLING_LABELS}


@hookimpl
def menu_items(hall, tenant, request, audience):
    if audience == "operator" or not offered(hall, tenant):
        return None
    return [MenuItem(N_("Accounts and balances"), route="account:billing", order=25, group=GROUP_ACCOUNT)]
