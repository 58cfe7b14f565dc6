"""Charging an automatic-payment agreement (代扣) without the customer, exactly once under an idempotency key.

The key makes the payment intent (``create_intent``: same key, same intent); the intent's public id is the
trade at the provider, which answers a repeat with the first trade's result; the answer is settled by
:func:`core.payments.settle.settle` like any payment. See core/payments/agreements.py and docs/payments.md.
"""

from __future__ import annotations

from core.db import transaction
from core.payments import ledger
from core.payments.agreements import ACTIVE, can_agree, view_of
from core.payments.intents import create_intent, get_intent
from core.payments.model import FAILED, OPEN, PAID, PENDING, Intent, PaymentError, now
from core.payments.providers import AgreementRefused, GatewayResult, ProviderUnavailable
from core.payments.registry import provider_for
from core.payments.settle import Outcome, settle
from core.payments.tables import PaymentIntent
from core.tenancy import require_tenant


async def charge_agreement(
    hall,
    agreement: dict,
    amount_fen: int,
    key: str,
    *,
    owner: str,
    purpose: str,
    reference: str,
    subject: str,
    metadata: dict | None = None,
    progress=None,
) -> tuple[Intent, str]:
    """Charge an active agreement ``amount_fen`` under ``key``: (the intent, what happened).

    What happened: ``succeeded`` (paid, and this call settled it through the payment core), ``paid`` (paid, settled
    by another call: a repeat or a notification), ``refused`` (no money taken;
    the reason is in the ledger), ``pending`` (the provider did not say - time-out, outage - its notification
    or the reconciliation job settles it later). The same key always gives the same intent, charged at most once.
    ``progress(detail)`` is called between the provider's answer and the settlement (the kill -9 tests stop there).
    """
    tenant = require_tenant()
    if agreement["state"] != ACTIVE:
        raise PaymentError(f"agreement {agreement['public_id']} is {agreement['state']}, not active")
    intent = await create_intent(
        hall,
        purpose=purpose,
        owner=owner,
        reference=reference,
        customer_id=agreement["customer_id"],
        amount_fen=amount_fen,
        provider=agreement["provider"],
        idempotency_key=key,
        subject=subject,
        metadata={**(metadata or {}), "agreement": agreement["public_id"], "account": agreement["account_legacy_id"]},
    )
    if intent.state in PAID:
        return intent, "paid"
    if intent.state not in OPEN:  # refused (or closed) before: never sent to the provider again
        return intent, "refused"
    provider = provider_for(hall, tenant, agreement["provider"], switched_off_too=True)
    if not can_agree(provider):
        raise PaymentError(f"payment provider {agreement['provider']!r} offers no automatic payment")
    async with transaction():  # pending before the provider is asked: a crash leaves it to be asked again
        moved = (
            await PaymentIntent.update({PaymentIntent.state: PENDING, PaymentIntent.updated_at: now()})
            .where((PaymentIntent.public_id == intent.id) & (PaymentIntent.state == "created"))
            .returning(PaymentIntent.id)
        )
        if moved:
            await ledger.record(
                "agreement",
                intent.id,
                provider=intent.provider,
                from_state="created",
                to_state=PENDING,
                data={"agreement": agreement["public_id"], "amount_fen": amount_fen},
            )
    try:
        result = await provider.charge_agreement(view_of(agreement), amount_fen, intent.id, subject)
    except AgreementRefused as exc:
        result = GatewayResult(intent.id, "", FAILED, None, {"refused": str(exc)[:300]})
    except (ProviderUnavailable, TimeoutError) as exc:
        await ledger.record(
            "agreement", intent.id, provider=intent.provider, accepted=False, reason=f"gateway unavailable: {exc}"
        )
        return await get_intent(intent.id) or intent, "pending"
    if progress:
        progress(f"gateway {intent.id} {result.status}")
    outcome = await settle(hall, intent.provider, result, source="agreement")
    after = await get_intent(intent.id) or intent
    if after.state in PAID:
        return after, "succeeded" if outcome is Outcome.CREDITED else "paid"
    return after, "refused" if after.state not in OPEN else "pending"
