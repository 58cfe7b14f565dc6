"""Turning "pay these bills of this number (or account)" into one payment intent, idempotently.

The idempotency key names what is bought - the number or account, the bills and
the amount - plus an attempt counter that moves on only when an earlier attempt
failed or was canceled. A double click, a reload or two tabs therefore reach
the same intent.

Each bill is a payment claim (``bill:<id>@<paid before>``, core/payments/claims.py),
taken in the intent's own transaction under a unique index: of two requests
paying overlapping bills at the same moment ("all months" and "this month" in
two tabs) exactly one gets the bill. The other finds the holder, closes it at
the gateway (or learns it was paid, and says so) and takes the bills then. No
read-then-write decides it, so no race can pay a bill twice.
"""

from __future__ import annotations

import hashlib
import logging

from core.api import N_
from core.api.payments import (
    CANCELED,
    FAILED,
    ClaimConflict,
    Intent,
    ProviderUnavailable,
    cancel,
    create_intent,
    enabled_providers,
    get_intent,
    intents_of,
    refresh_from_gateway,
)
from plugins.billpay.owed import NumberOwed

OWNER = "billpay"
log = logging.getLogger("hall.billpay")
ROUNDS = 4  # make way for a holder and try again at most this often (each round a holder was closed)
JUST_PAID = N_("An earlier payment of these bills has just gone through: see your bill payments history.")
CANNOT_CLOSE = N_(
    "An earlier payment of these bills is still open and the payment service cannot be reached to close it. "
    "Please try again in a few minutes."
)


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
            raise PayRefused(N_("Nothing is owed on %(number)s."), number=owed.label)
        return chosen
    chosen = []
    for bill_id in dict.fromkeys(bill_ids):
        bill = by_id.get(bill_id)
        if bill is None or bill.owed_fen == 0:
            if bill is not None and bill.being_posted:
                raise PayRefused(
                    N_("The bill for %(month)s is already paid; it is being posted to your account."), month=bill.month
                )
            raise PayRefused(N_("That bill is already paid or is not a bill of %(number)s."), number=owed.label)
        chosen.append(bill)
    return sorted(chosen, key=lambda b: b.month)


def reference_of(number: str, bills: list, total: int) -> str:
    ids = ",".join(sorted(b.legacy_id for b in bills))
    if len(ids) > 64:
        ids = "h" + hashlib.sha256(ids.encode()).hexdigest()[:32]
    return f"{number}:{ids}:{total}"


def claims_of(bills: list) -> list[str]:
    """One claim per bill and the paid amount it starts from: a later payment of the same bill (it grew) is another claim."""
    return [f"bill:{b.legacy_id}@{max(b.legacy_paid_fen, b.hall_paid_fen)}" for b in bills]


async def _make_way(hall, tenant, customer_id: str, holder_id: str) -> None:
    """The holder of a bill we want: paid (refuse, with why), or still open (close it at the gateway, so its bills are free)."""
    holder = await get_intent(holder_id)
    if holder is None or not (holder.open or holder.paid):
        return  # let go meanwhile: just try again
    if holder.customer_id != customer_id:
        raise PayRefused(N_("These bills are being paid from another account. Please try again later."))
    if holder.open:
        # Paid at the gateway with the notification still on its way? Then it is settled now, not canceled (and paid twice).
        holder = await refresh_from_gateway(hall, tenant, holder)
    if holder.paid:
        raise PayRefused(JUST_PAID)
    try:
        await cancel(hall, holder.id, reason="replaced by another payment of the same bills")
    except ProviderUnavailable:
        raise PayRefused(CANNOT_CLOSE) from None
    except Exception as exc:  # the gateway refused to close it: most likely paid this very moment
        log.warning("payment %s: the gateway would not close it: %s", holder.id, exc)
        raise PayRefused(
            JUST_PAID if (await refresh_from_gateway(hall, tenant, holder)).paid else CANNOT_CLOSE
        ) from None


def months_text(bills: list) -> str:
    months = [b.month for b in bills]
    return months[0] if len(months) == 1 else f"{months[0]} - {months[-1]}"


async def pay_intent(hall, tenant, *, customer_id: str, owed: NumberOwed, bill_ids: list[str], describe=None) -> Intent:
    """The intent paying ``bill_ids`` of ``owed`` (a number, or an account: all owed bills when empty); the same request
    gives the same intent. An account's payment says so (``account``) and names each bill's number ("" for the account's
    own bills); a number's metadata is as it always was."""
    provider = provider_of(hall, tenant)
    bills = choose(owed, bill_ids)
    total = sum(b.owed_fen for b in bills)
    reference = reference_of(owed.key, bills, total)
    subject = describe(owed.label, months_text(bills)) if describe else f"{owed.label} {months_text(bills)}"
    metadata = {
        "number": owed.number,
        **({"account": owed.account} if owed.account else {}),
        "bills": [
            {
                "bill_id": b.legacy_id,
                "month": b.month,
                "amount_fen": b.owed_fen,
                "paid_before_fen": max(b.legacy_paid_fen, b.hall_paid_fen),
                **({"number": b.number} if owed.account else {}),
            }
            for b in bills
        ],
    }
    for _ in range(ROUNDS):
        earlier = await intents_of(customer_id=customer_id, owner=OWNER, reference=reference, limit=1000)
        attempt = 1 + sum(1 for i in earlier if i.state in (FAILED, CANCELED))
        try:
            return await create_intent(
                hall,
                purpose="bill",
                owner=OWNER,
                reference=reference,
                customer_id=customer_id,
                amount_fen=total,
                provider=provider,
                subject=subject,
                idempotency_key=f"billpay:{reference}:{attempt}",
                metadata=metadata,
                claims=claims_of(bills),
            )
        except ClaimConflict as conflict:
            for holder_id in conflict.holders:
                await _make_way(hall, tenant, customer_id, holder_id)
    raise PayRefused(
        N_(
            "These bills are being paid in another window at this moment. Please look at your bill payments history, or try again."
        )
    )
