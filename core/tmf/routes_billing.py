"""TMF678 customerBill and appliedCustomerBillingRate, TMF635 usage, and the hall's balance: the signed-in customer's own."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get
from litestar.params import FromPath, Parameter

from core.i18n import N_
from core.legacy.balances import balance_of
from core.tmf import models, reads
from core.tmf.caller import ApiError, api_caller
from core.tmf.errors_spec import errors
from core.tmf.shape import Fields, Limit, Offset, href, listing, money, one, when
from core.web.context import info
from core.web.render import hall_of

READ = {"scope": "customer.read"}
BILL_STATES = {"unpaid": "sent", "partial": "partiallyPaid", "paid": "settled"}
STATE_OF = {v: k for k, v in BILL_STATES.items()}
NO_SUCH = N_("No such resource.")


def _bill(request: Request, row: dict) -> dict:
    return customer_bill(row, href(request, "customerBill", row["legacy_id"]))


def customer_bill(row: dict, link: str) -> dict:
    """A ``core_bill`` row as TMF678 customerBill (the API's answers and the hub's CustomerBillCreateEvent)."""
    month = row["month"]
    return {
        "id": row["legacy_id"],
        "href": link,
        "@type": "CustomerBill",
        "billNo": row["legacy_id"],
        "state": BILL_STATES.get(row["status"], "sent"),
        "billingPeriod": {"startDateTime": f"{month}-01T00:00:00Z"},
        "amountDue": money(row["amount_fen"]),
        "remainingAmount": money(max(0, row["amount_fen"] - row["paid_fen"])),
        "paymentDueDate": when(row["due_date"]),
        "billingAccount": {"id": row["account_legacy_id"] or row["number"]},
        "serviceNumber": row["number"] or None,
    }


@get("/customerBill", opt=READ, name="api:customer_bill.list", responses=errors())
async def list_bills(
    request: Request,
    fields: Fields = None,
    offset: Offset = 0,
    limit: Limit = 20,
    wanted_state: Annotated[str | None, Parameter(query="state", max_length=32)] = None,
) -> Response[list[models.CustomerBill]]:
    """The customer's bills, newest month first; ``state`` filters (sent, partiallyPaid, settled)."""
    h = await reads.holdings(api_caller(request).customer)
    rows, total = await reads.bills(h, offset, limit, STATE_OF.get(wanted_state, "-") if wanted_state else None)
    return listing([_bill(request, r) for r in rows], total, fields)


@get("/customerBill/{bill_id:str}", opt=READ, name="api:customer_bill", responses=errors())
async def get_bill(request: Request, bill_id: FromPath[str], fields: Fields = None) -> Response[models.CustomerBill]:
    row = await reads.bill(await reads.holdings(api_caller(request).customer), bill_id)
    if row is None:
        raise ApiError(404, NO_SUCH, "not_found")
    return one(_bill(request, row), fields)


def _rate(request: Request, row: dict) -> dict:
    return {
        "id": row["legacy_id"],
        "href": href(request, "appliedCustomerBillingRate", row["legacy_id"]),
        "@type": "AppliedCustomerBillingRate",
        "name": row["name"],
        "type": row["code"],
        "bill": {"id": row["bill_legacy_id"], "href": href(request, "customerBill", row["bill_legacy_id"])},
        "taxIncludedAmount": money(row["amount_fen"]),
        "serviceNumber": row["number"] or None,
    }


@get("/appliedCustomerBillingRate", opt=READ, name="api:rate.list", responses=errors())
async def list_rates(
    request: Request, fields: Fields = None, offset: Offset = 0, limit: Limit = 20, bill_id: str | None = None
) -> Response[list[models.AppliedCustomerBillingRate]]:
    """The items of the customer's bills; ``bill.id`` (or ``bill_id``) narrows to one bill."""
    wanted = request.query_params.get("bill.id") or bill_id
    h = await reads.holdings(api_caller(request).customer)
    rows, total = await reads.bill_items(h, wanted[:64] if wanted else None, offset, limit)
    return listing([_rate(request, r) for r in rows], total, fields)


@get("/appliedCustomerBillingRate/{rate_id:str}", opt=READ, name="api:rate", responses=errors())
async def get_rate(
    request: Request, rate_id: FromPath[str], fields: Fields = None
) -> Response[models.AppliedCustomerBillingRate]:
    row = await reads.bill_item(await reads.holdings(api_caller(request).customer), rate_id)
    if row is None:
        raise ApiError(404, NO_SUCH, "not_found")
    return one(_rate(request, row), fields)


def _usage(request: Request, row: dict) -> dict:
    return {
        "id": row["legacy_id"],
        "href": href(request, "usage", row["legacy_id"]),
        "@type": "Usage",
        "usageDate": when(row["started_at"]),
        "usageType": "voice",
        "status": "rated",
        "description": row["call_type"],
        "usageCharacteristic": [
            {"name": "serviceNumber", "value": row["number"]},
            {"name": "calledNumber", "value": row["called_number"]},
            {"name": "durationSeconds", "value": row["duration_s"]},
            {"name": "callType", "value": row["call_type"]},
        ],
        "ratedProductUsage": [{"taxIncludedRatingAmount": money(row["charge_fen"])}],
    }


@get("/usage", opt=READ, name="api:usage.list", responses=errors())
async def list_usage(
    request: Request, fields: Fields = None, offset: Offset = 0, limit: Limit = 20, serviceNumber: str | None = None
) -> Response[list[models.Usage]]:
    """The customer's call records, newest first; ``serviceNumber`` narrows to one of their numbers."""
    h = await reads.holdings(api_caller(request).customer)
    rows, total = await reads.calls(h, offset, limit, serviceNumber[:32] if serviceNumber else None)
    return listing([_usage(request, r) for r in rows], total, fields)


@get("/usage/{usage_id:str}", opt=READ, name="api:usage", responses=errors())
async def get_usage(request: Request, usage_id: FromPath[str], fields: Fields = None) -> Response[models.Usage]:
    row = await reads.call(await reads.holdings(api_caller(request).customer), usage_id)
    if row is None:
        raise ApiError(404, NO_SUCH, "not_found")
    return one(_usage(request, row), fields)


@get("/balance", opt=READ, name="api:balance.list", responses=errors())
async def list_balances(
    request: Request, fields: Fields = None, offset: Offset = 0, limit: Limit = 20
) -> Response[list[models.Balance]]:
    """Each billing account's balance as the BSS last said (the short shared cache; ``fresh`` false when it did not answer)."""
    h = await reads.holdings(api_caller(request).customer)
    out = []
    for account in h.accounts[offset : offset + limit]:
        found = await balance_of(hall_of(request), info(request).tenant, account.legacy_id)
        item = {
            "id": account.legacy_id,
            "href": href(request, "balance", account.legacy_id),
            "@type": "Balance",
            "serviceNumber": list(account.numbers),
            "billingType": account.billing,
        }
        if found is not None:
            item.update(asOf=when(found.as_of), fresh=found.fresh, billingType=found.billing or account.billing)
            if found.balance_fen is not None:
                item["amount"] = money(found.balance_fen)
        out.append(item)
    return listing(out, len(h.accounts), fields)


HANDLERS = [list_bills, get_bill, list_rates, get_rate, list_usage, get_usage, list_balances]
