"""Customer bill pages: ``/bills/`` (first linked number, latest month) and ``/bills/{number}/{month}``.

A number without bills of its own whose account is billed as a whole (合账) shows its account's bills
(plugins/bills/routes_accounts.py)."""

from __future__ import annotations

import datetime as dt

import re

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api.identity import billing_accounts
from core.api.legacy import display_names, localise_items, tenant_zone
from core.api.web import cached_page, data_as_of_context, hall_of, info, render
from plugins.bills import data, months
from plugins.bills.view import bill_context

NUMBER = re.compile(r"^\d{3,20}$")


def settings_of(request: Request):
    return info(request).tenant.plugin_settings("bills")


async def own_number(request: Request, number: str) -> list[str]:
    """The customer's linked numbers; 404 unless ``number`` is one of them (another customer's or tenant's number: 404)."""
    linked = await data.linked_numbers(info(request).customer.id)
    if not NUMBER.match(number or "") or number not in linked:
        raise NotFoundException()
    return linked


async def problem(request: Request, error: months.BadMonth, number: str, status: int = 400) -> Response:
    return await render(
        request,
        "bills/problem.html",
        {"message": error.message, "params": error.params, "number": number},
        status=status,
    )


async def bill_page(request: Request, number: str, month: str | None, linked: list[str]) -> Response:
    settings = settings_of(request)
    bills, items = await data.bills_with_items(number, settings.months_shown + 1)
    if not bills and month is None:  # billed per account (合账): the number's page is its account's bills
        account = await account_billing(request, number)
        if account is not None:
            from plugins.bills.routes_accounts import account_page

            return await account_page(request, account, number if len(account.numbers) > 1 else "")
    ri = info(request)
    names = display_names(request.app.state.hall, ri.tenant, "bill_items")  # charge names in the viewer's language
    items = {bill: localise_items(rows, names, ri.language, ri.tenant.language) for bill, rows in items.items()}
    zone = tenant_zone(info(request).tenant)
    allowed = months.window(bills[0]["month"] if bills else None, settings.months_shown, zone)
    if month is not None:
        try:
            months.check(month, allowed, zone)
        except months.BadMonth as error:
            return await problem(request, error, number)
    context = {"number": number, "linked": linked, "allowed": allowed, **await data_as_of_context(request, ("bills",))}
    chosen = month or (bills[0]["month"] if bills else None)
    if chosen is None or all(b["month"] != chosen for b in bills[: settings.months_shown]):
        return await render(
            request, "bills/bill.html", {**context, "bill": None, "month": chosen}, status=200 if month is None else 404
        )
    page = bill_context(bills, items, chosen, settings.months_shown)
    return await render(
        request,
        "bills/bill.html",
        {
            **context,
            "month": chosen,
            **page,
            "today": dt.datetime.now(zone).date(),
            "actions": actions_for(request, page["bill"]),
        },
    )


async def account_billing(request: Request, number: str):
    """The account (with an account tier) that pays for ``number``, when the BSS bills that way; else None."""
    accounts = await billing_accounts(info(request).customer.id)
    return next((a for a in accounts if a.own_tier and a.has(number)), None)


def actions_for(request: Request, bill: dict) -> list[tuple[str, str]]:
    """What other plugins offer with this bill (billpay: "Pay this bill"), through the ``bill_actions`` hook."""
    ri = info(request)
    hall = hall_of(request)
    return [
        action
        for found in hall.hooks_for(ri.tenant).bill_actions(hall=hall, tenant=ri.tenant, request=request, bill=bill)
        for action in (found or [])
    ]


@get("/", name="bills:list", opt=cached_page())
async def bills_home(request: Request) -> Response:
    """The most-opened page of the hall: three statements (numbers, bills with items, data-as-of), no redirect."""
    linked = await data.linked_numbers(info(request).customer.id)
    if not linked:
        return await render(request, "bills/bill.html", {"number": None, "linked": [], "bill": None, "month": None})
    return await bill_page(request, linked[0], None, linked)


@get("/{number:str}/{month:str}", name="bills:bill", opt=cached_page())
async def bill_of_month(request: Request, number: FromPath[str], month: FromPath[str]) -> Response:
    linked = await own_number(request, number)
    return await bill_page(request, number, month, linked)


HANDLERS = [bills_home, bill_of_month]
