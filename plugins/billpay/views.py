"""What the customer pages share: who is asking, their numbers and accounts, their bill payments (404 for anything else)."""

from __future__ import annotations


import asyncio

from litestar import Request
from litestar.exceptions import NotFoundException

from core.api import local as local_time, zone_of as tenant_zone
from core.api.identity import billing_accounts, linked_numbers
from core.api.legacy import balance_of
from core.api.payments import Intent, customer_legacy_id, get_intent
from core.api.web import balance_view, hall_of, info, page_fresh_until
from plugins.billpay.owed import NumberOwed
from plugins.billpay.paying import OWNER
from plugins.billpay.tables import BillPayment


async def customer_of(request: Request) -> tuple[str, list[str]]:
    """(the customer's legacy id, their linked service numbers)."""
    customer = info(request).customer
    if customer is None:
        raise NotFoundException()
    return await customer_legacy_id(request), await linked_numbers(customer.id)


async def payers_of(request: Request) -> tuple[str, list[NumberOwed]]:
    """(the customer's legacy id, who they pay for): their billing accounts in the order of their linked numbers - a
    number without an account tier is its own payer - then any linked number another customer's account pays for."""
    legacy_id, linked = await customer_of(request)
    payers, covered = [], set()
    for account in await billing_accounts(info(request).customer.id):
        if account.own_tier:
            payers.append(NumberOwed("", account=account.legacy_id, numbers=account.numbers, name=account.name))
        else:
            payers.append(NumberOwed(account.legacy_id))
        covered.update(account.numbers)
    payers += [NumberOwed(n) for n in linked if n not in covered]
    return legacy_id, payers


async def balances_of(request: Request, payers: list[NumberOwed]) -> dict[str, dict]:
    """payer key → its balance as the ``account/_balance.html`` macro shows it (none without a balances port).

    The page cache may serve the page only while every figure is one a new look-up would give again
    without asking the BSS; a figure the BSS did not answer for keeps the page out of the cache.
    """
    ri, hall = info(request), hall_of(request)
    found = await asyncio.gather(*(balance_of(hall, ri.tenant, p.account or p.number) for p in payers))
    for balance in found:  # a stored page shows each figure no longer than a look-up would (core.legacy.balances)
        if balance is not None:
            page_fresh_until(request, balance.fresh_until if balance.fresh else None)
    return {p.key: view for p, b in zip(payers, found) if (view := balance_view(request, b)) is not None}


async def own_payment(request: Request, intent_id: str) -> Intent:
    """The customer's own bill payment, or 404 (someone else's, another tenant's, another plugin's, no such payment)."""
    legacy_id = await customer_legacy_id(request)
    intent = await get_intent(intent_id[:64])
    if intent is None or intent.owner != OWNER or not legacy_id or intent.customer_id != legacy_id:
        raise NotFoundException()
    return intent


def zone_of(request: Request):
    return tenant_zone(info(request).tenant)


def local(moment, zone, fmt: str = "second") -> str:
    """``moment`` in ``zone`` (the tenant's: :func:`zone_of`), through the core's one formatter."""
    return local_time(moment, zone, fmt)


async def paid_bills(intent: Intent) -> list[dict]:
    """The bills a payment paid: the fulfilment's rows once paid, else what it is for (its metadata)."""
    rows = (
        await BillPayment.select(
            BillPayment.bill_legacy_id, BillPayment.number, BillPayment.month, BillPayment.amount_fen
        )
        .where(BillPayment.intent_id == intent.id)
        .order_by(BillPayment.month)
    )
    if rows:
        return [
            {
                "bill_id": r["bill_legacy_id"],
                "number": r["number"],
                "month": r["month"],
                "amount_fen": int(r["amount_fen"]),
            }
            for r in rows
        ]
    number = (intent.metadata or {}).get("number", "")
    return [
        {
            "bill_id": b.get("bill_id", ""),
            "number": b.get("number", number),
            "month": b.get("month", ""),
            "amount_fen": int(b.get("amount_fen", 0)),
        }
        for b in (intent.metadata or {}).get("bills", [])
    ]
