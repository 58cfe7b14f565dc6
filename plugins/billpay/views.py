"""What the customer pages share: who is asking, their numbers, their bill payments (404 for anything else)."""

from __future__ import annotations


from litestar import Request
from litestar.exceptions import NotFoundException

from core.api import local as local_time, zone_of as tenant_zone
from core.api.identity import linked_numbers
from core.api.payments import Intent, customer_legacy_id, get_intent
from core.api.web import info
from plugins.billpay.paying import OWNER
from plugins.billpay.tables import BillPayment


async def customer_of(request: Request) -> tuple[str, list[str]]:
    """(the customer's legacy id, their linked service numbers)."""
    customer = info(request).customer
    if customer is None:
        raise NotFoundException()
    return await customer_legacy_id(request), await linked_numbers(customer.id)


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
            "number": number,
            "month": b.get("month", ""),
            "amount_fen": int(b.get("amount_fen", 0)),
        }
        for b in (intent.metadata or {}).get("bills", [])
    ]
