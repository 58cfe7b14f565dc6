"""Turning "pay these bills of this number" into one payment intent, idempotently.

The idempotency key names what is bought - the number, the bills and the
amount - plus an attempt counter that moves on only when an earlier attempt
failed or was canceled. A double click, a reload or two tabs therefore reach
the same intent. An open payment of an overlapping set of bills (say "this
month" before "all months") is canceled (closed at the gateway) first, so the
same bill can never be paid by two open payments.
"""

from __future__ import annotations

import hashlib

from core.i18n import N_
from core.payments import cancel, create_intent, intents_of
from core.payments.model import CANCELED, FAILED, Intent
from core.payments.providers import ProviderUnavailable
from core.payments.registry import enabled_providers
from core.web.pay_pages import refresh_from_gateway
from plugins.billpay.owed import NumberOwed

OWNER = "billpay"


class PayRefused(Exception):
    """A payment the customer cannot make (now); ``message`` is a message id, ``params`` its values."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


def provider_of(hall, tenant) -> str:
    wanted = tenant.plugin_settings(OWNER).provider
    enabled = enabled_providers(hall, tenant)
    if wanted:
        if wanted not in enabled:
            raise PayRefused(N_("Online payment is not available at the moment."))
        return wanted
    if not enabled:
        raise PayRefused(N_("Online payment is not available at the moment."))
    return enabled[0]


def choose(owed: NumberOwed, bill_ids: list[str]) -> list:
    """The bills to pay: those named (each must still be owed), or every owed bill when none is named."""
    by_id = {b.legacy_id: b for b in owed.bills}
    if not bill_ids:
        chosen = owed.owed
        if not chosen:
            raise PayRefused(N_("Nothing is owed on %(number)s."), number=owed.number)
        return chosen
    chosen = []
    for bill_id in dict.fromkeys(bill_ids):
        bill = by_id.get(bill_id)
        if bill is None or bill.owed_fen == 0:
            if bill is not None and bill.being_posted:
                raise PayRefused(N_("The bill for %(month)s is already paid; it is being posted to your account."), month=bill.month)
            raise PayRefused(N_("That bill is already paid or is not a bill of %(number)s."), number=owed.number)
        chosen.append(bill)
    return sorted(chosen, key=lambda b: b.month)


def reference_of(number: str, bills: list, total: int) -> str:
    ids = ",".join(sorted(b.legacy_id for b in bills))
    if len(ids) > 64:
        ids = "h" + hashlib.sha256(ids.encode()).hexdigest()[:32]
    return f"{number}:{ids}:{total}"


async def _cancel_overlapping(hall, tenant, customer_id: str, reference: str, bill_ids: set[str]) -> None:
    for intent in await intents_of(customer_id=customer_id, owner=OWNER, limit=50):
        if not intent.open or intent.reference == reference:
            continue
        theirs = {str(b.get("bill_id")) for b in (intent.metadata or {}).get("bills", [])}
        if theirs & bill_ids:
            # Paid at the gateway with the notification still on its way? Then it is settled now, not canceled (and paid twice).
            if (await refresh_from_gateway(hall, tenant, intent)).paid:
                raise PayRefused(N_("An earlier payment of these bills has just gone through: see your bill payments history."))
            try:
                await cancel(hall, intent.id, reason="replaced by another payment of the same bills")
            except ProviderUnavailable:
                raise PayRefused(N_("An earlier payment of these bills is still open and the payment service cannot be reached to close it. Please try again in a few minutes.")) from None


def months_text(bills: list) -> str:
    months = [b.month for b in bills]
    return months[0] if len(months) == 1 else f"{months[0]} - {months[-1]}"


async def pay_intent(hall, tenant, *, customer_id: str, owed: NumberOwed, bill_ids: list[str], describe=None) -> Intent:
    """The intent paying ``bill_ids`` of ``owed.number`` (all owed bills when empty); the same request gives the same intent."""
    provider = provider_of(hall, tenant)
    bills = choose(owed, bill_ids)
    total = sum(b.owed_fen for b in bills)
    reference = reference_of(owed.number, bills, total)
    await _cancel_overlapping(hall, tenant, customer_id, reference, {b.legacy_id for b in bills})
    earlier = await intents_of(customer_id=customer_id, owner=OWNER, reference=reference, limit=1000)
    attempt = 1 + sum(1 for i in earlier if i.state in (FAILED, CANCELED))
    subject = describe(owed.number, months_text(bills)) if describe else f"{owed.number} {months_text(bills)}"
    metadata = {"number": owed.number, "bills": [{"bill_id": b.legacy_id, "month": b.month, "amount_fen": b.owed_fen,
                                                  "paid_before_fen": max(b.legacy_paid_fen, b.hall_paid_fen)} for b in bills]}
    return await create_intent(hall, purpose="bill", owner=OWNER, reference=reference, customer_id=customer_id, amount_fen=total,
                               provider=provider, subject=subject, idempotency_key=f"billpay:{reference}:{attempt}", metadata=metadata)
