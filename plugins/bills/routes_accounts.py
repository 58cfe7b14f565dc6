"""Bills per billing account (合账): ``/bills/accounts/{account}`` lists the account's own bills and its numbers'
(``?number=`` narrows to one number, with its share of the account's bills); ``/bills/accounts/{account}/{month}``
is an account's combined bill with each number's share."""

from __future__ import annotations

import datetime as dt

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core.api.identity import CustomerBillingAccount, billing_account
from core.api.legacy import display_names, localise_items, tenant_zone
from core.api.web import data_as_of_context, info, render
from plugins.bills import data, months
from plugins.bills.routes_bills import actions_for, problem, settings_of
from plugins.bills.view import owed

MAX_ACCOUNT = 64


async def own_account(request: Request, account: str) -> CustomerBillingAccount:
    """The signed-in customer's account with this legacy id; 404 for anyone else's (docs/accounts.md says whose)."""
    if not account or len(account) > MAX_ACCOUNT:
        raise NotFoundException()
    found = await billing_account(info(request).customer.id, account)
    if found is None:
        raise NotFoundException()
    return found


async def account_page(request: Request, account: CustomerBillingAccount, number: str = "") -> Response:
    """The account's bills of the months shown, newest first; narrowed to ``number`` when given."""
    ri = info(request)
    zone = tenant_zone(ri.tenant)
    latest = await data.latest_account_month(account.legacy_id, list(account.numbers))
    allowed = months.window(latest, settings_of(request).months_shown, zone)
    rows = await data.account_bills(account.legacy_id, [number] if number else list(account.numbers), allowed)
    shares = await data.number_shares([b["legacy_id"] for b in rows if not b["number"]], number) if number else {}
    if number:  # the number's own bills, and the account's bills it has a share of
        rows = [b for b in rows if b["number"] or b["legacy_id"] in shares]
    linked = await data.linked_numbers(ri.customer.id)
    return await render(
        request,
        "bills/account.html",
        {
            "account": account,
            "number": number,
            "linked": linked,
            "rows": [{**b, "owed_fen": owed(b), "share_fen": shares.get(b["legacy_id"])} for b in rows],
            "today": dt.datetime.now(zone).date(),
            **await data_as_of_context(request, ("bills",)),
        },
    )


@get("/accounts/{account:str}", name="bills:account")
async def account_bills(request: Request, account: FromPath[str]) -> Response:
    found = await own_account(request, account)
    number = str(request.query_params.get("number") or "")
    if number and number not in found.numbers:
        raise NotFoundException()
    return await account_page(request, found, number)


@get("/accounts/{account:str}/{month:str}", name="bills:account_bill")
async def account_bill(request: Request, account: FromPath[str], month: FromPath[str]) -> Response:
    """An account's combined bill: the total, each number's share, the charges with the number they are for."""
    found = await own_account(request, account)
    ri = info(request)
    zone = tenant_zone(ri.tenant)
    latest = await data.latest_account_month(found.legacy_id, list(found.numbers))
    allowed = months.window(latest, settings_of(request).months_shown, zone)
    try:
        months.check(month, allowed, zone)
    except months.BadMonth as error:
        return await problem(request, error, "")
    bill = await data.account_bill(found.legacy_id, month)
    context = {"account": found, "month": month, **await data_as_of_context(request, ("bills",))}
    if bill is None:
        return await render(request, "bills/account_bill.html", {**context, "bill": None}, status=404)
    hall = request.app.state.hall
    names = display_names(hall, ri.tenant, "bill_items")
    items = localise_items(await data.items_with_numbers(bill["legacy_id"]), names, ri.language, ri.tenant.language)
    return await render(
        request,
        "bills/account_bill.html",
        {
            **context,
            "bill": bill,
            "owed_fen": owed(bill),
            "items": items,
            "shares": data.shares(items),
            "today": dt.datetime.now(zone).date(),
            "actions": actions_for(request, bill),
        },
    )


HANDLERS = [account_bills, account_bill]
