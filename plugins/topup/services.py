"""What the top-up pages do: look a number up, start a paid top-up (idempotently, within the limits), read receipts.

Every look-up and every payment started counts one attempt of the client's
address *before* the number is looked up (limits.py), so the page cannot be
used to read holder names in bulk. A payment is a core payment intent
(purpose ``topup``, owner ``topup``, metadata ``{number, account}``) plus one
``TopUp`` row carrying what the payer saw and the receipt's unguessable id.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from core.api import N_, zone_of
from core.api.payments import CANCELED, FAILED, Intent, create_intent, enabled_providers, intents_of
from plugins.topup import limits
from plugins.topup.amounts import chosen_amount
from plugins.topup.holder import Holder, parse_number, payable_holder
from plugins.topup.tables import TopUp

OWNER = PURPOSE = "topup"
log = logging.getLogger("hall.topup")
NO_PAYMENT = N_("Online payment is not available at the moment.")


class TopupRefused(Exception):
    """A top-up that cannot be made now; ``message`` is a message id, ``params`` its values."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


def new_receipt_id() -> str:
    """24 URL-safe characters, 144 random bits: the receipt's address, which nobody can guess."""
    return secrets.token_urlsafe(18)


def new_attempt_token() -> str:
    """Put into the amount form: a double submit of the same form reaches the same payment."""
    return secrets.token_urlsafe(12)


def _attempt_token(text: str) -> str:
    token = str(text or "")
    return token if 8 <= len(token) <= 32 and token.replace("-", "").replace("_", "").isalnum() else new_attempt_token()


def provider_of(hall, tenant, settings) -> str:
    enabled = enabled_providers(hall, tenant)
    if settings.provider:
        if settings.provider not in enabled:
            raise TopupRefused(NO_PAYMENT)
        return settings.provider
    if not enabled:
        raise TopupRefused(NO_PAYMENT)
    return enabled[0]


async def look_up(hall, tenant, settings, *, number_text: str, address: str) -> Holder:
    """The holder of the number typed, counted as one attempt of ``address`` (the number form, and again before paying).

    FieldErrors (``number``): not a number, unknown here, closed. TooManyAttempts.
    """
    number = parse_number(number_text)
    await limits.count_attempt(settings, address)
    return await payable_holder(hall, tenant, number)


@dataclass(frozen=True)
class Asked:
    """A payer's "top up this number with this much", as posted."""

    choice: str
    custom: str
    attempt: str
    payer_id: str  # the logged-in customer's legacy id, "" for a visitor
    address: str


async def pay(hall, tenant, settings, holder: Holder, asked: Asked, *, describe=None) -> Intent:
    """The payment intent of a top-up onto ``holder``'s number (from :func:`look_up`), with its TopUp row.

    The same form posted twice gives the same intent (its attempt token), and
    a new one once that failed or was canceled. Raises FieldErrors (amount,
    custom_amount), DailyLimit or TopupRefused; nothing is written then.
    """
    amount = chosen_amount(settings, asked.choice, asked.custom)
    await limits.check_number(settings, holder.number, amount, zone_of(tenant))
    provider = provider_of(hall, tenant, settings)
    token = _attempt_token(asked.attempt)
    reference = f"{holder.number}:{amount}:{token}"
    earlier = await intents_of(customer_id=asked.payer_id, owner=OWNER, reference=reference, limit=100)
    attempt = 1 + sum(1 for i in earlier if i.state in (FAILED, CANCELED))
    payer = hashlib.sha256(asked.payer_id.encode()).hexdigest()[:12]
    intent = await create_intent(
        hall,
        purpose=PURPOSE,
        owner=OWNER,
        reference=reference,
        customer_id=asked.payer_id,
        amount_fen=amount,
        provider=provider,
        subject=describe(holder.number) if describe else f"Top-up {holder.number}",
        idempotency_key=f"topup:{payer}:{reference}:{attempt}",
        metadata={"number": holder.number, "account": holder.account},
    )
    await TopUp.insert(
        TopUp(
            intent_id=intent.id,
            receipt_id=new_receipt_id(),
            number=holder.number,
            account=holder.account,
            holder_id=holder.customer_id,
            holder_masked=holder.masked_name,
            payer_id=asked.payer_id,
            client_address=asked.address[:64],
            amount_fen=amount,
            created_at=intent.created_at,
        )
    ).on_conflict(target=(TopUp.tenant, TopUp.intent_id), action="DO NOTHING")
    log.info("top-up %s: %d fen onto %s started", intent.id, amount, holder.number)
    return intent


async def topup_by_receipt(receipt_id: str) -> dict | None:
    return await TopUp.select().where(TopUp.receipt_id == receipt_id[:32]).first()
