"""Automatic-payment agreements (代扣协议): signing at a provider, its notification, charging without the customer.

An agreement belongs to one customer's billing account at one provider. It is
``pending`` from the moment the customer is sent to sign, ``active`` once the
provider's *verified* notification says signed (a forged one changes nothing
and is audited as refused), and ``cancelled`` (customer, operator, provider) or
``expired`` (never signed). At most one is active per account: signing again
ends the older one.

:func:`charge_agreement` takes money under an idempotency key through the
payment core's own intents: the key makes the intent (``create_intent``), the
intent's public id is the trade at the provider, so a repeat - a retry, a
second worker, a process restarted after ``kill -9`` between the provider's
charge and the posting - finds the same intent and the same trade and is
settled once by :func:`core.payments.settle.settle` (``payment_succeeded`` of
the owner, ``payment.posted``). An intent already failed is never sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from core.audit import record as audit
from core.db import transaction
from core.payments import ledger
from core.payments.intents import create_intent, get_intent
from core.payments.model import FAILED, OPEN, PAID, PENDING, Intent, PaymentError, now
from core.payments.providers import (
    AgreementNotice,
    AgreementRefused,
    AgreementRequest,
    AgreementView,
    Checkout,
    GatewayResult,
    InvalidNotification,
    ProviderUnavailable,
)
from core.payments.registry import enabled_providers, provider_for
from core.payments.settle import Outcome, settle
from core.payments.tables import Agreement, PaymentIntent
from core.tenancy import require_tenant

log = logging.getLogger("hall.payments.agreements")
PENDING_A, ACTIVE, CANCELLED, EXPIRED = "pending", "active", "cancelled", "expired"
SIGN_WITHIN = dt.timedelta(days=1)  # a pending agreement not signed by then is expired (the reconciliation job)
CAPABILITY = ("sign_agreement", "verify_agreement_notification", "charge_agreement", "cancel_agreement")


def can_agree(provider) -> bool:
    return provider is not None and all(callable(getattr(provider, name, None)) for name in CAPABILITY)


def agreement_providers(hall, tenant) -> list[str]:
    """The tenant's switched-on providers that offer automatic payment; the others are simply not offered.

    A provider that cannot be built (its keys missing) is not offered either: its own checkout says why.
    """
    from core.config import ConfigError

    out = []
    for provider_id in enabled_providers(hall, tenant):
        try:
            provider = provider_for(hall, tenant, provider_id)
        except ConfigError:
            log.warning("tenant %s: payment provider %r cannot be built", tenant.id, provider_id)
            continue
        if can_agree(provider):
            out.append(provider_id)
    return out


def view_of(row: dict) -> AgreementView:
    return AgreementView(
        row["public_id"], row["agreement_no"], row["customer_id"], row["account_legacy_id"], row.get("notify_url", "")
    )


async def agreements_of(*, customer_id: str | None = None, account: str | None = None) -> list[dict]:
    query = Agreement.select()
    if customer_id is not None:
        query = query.where(Agreement.customer_id == customer_id)
    if account is not None:
        query = query.where(Agreement.account_legacy_id == account)
    return await query.order_by(Agreement.id, ascending=False)


async def active_agreement(account: str) -> dict | None:
    """The account's active agreement (the newest, should there ever be two)."""
    return (
        await Agreement.select()
        .where((Agreement.account_legacy_id == account) & (Agreement.state == ACTIVE))
        .order_by(Agreement.id, ascending=False)
        .first()
    )


async def start_signing(
    hall,
    *,
    customer_id: str,
    account: str,
    provider_id: str,
    channel: str,
    return_url,
    notify_url: str,
    charge_notify_url: str = "",
    subject: str = "",
) -> tuple[dict, Checkout]:
    """A ``pending`` agreement and where the customer signs it. ``return_url(public_id)`` builds the way back.

    ``charge_notify_url`` is kept with the agreement: its charges run without a request to build one from.
    """
    tenant = require_tenant()
    provider = provider_for(hall, tenant, provider_id)
    if not can_agree(provider):
        raise PaymentError(f"payment provider {provider_id!r} offers no automatic payment for tenant {tenant.id!r}")
    public_id = "ag" + secrets.token_hex(14)
    async with transaction():
        await Agreement.insert(
            Agreement(
                public_id=public_id,
                customer_id=customer_id,
                account_legacy_id=account,
                provider=provider_id,
                state=PENDING_A,
                notify_url=charge_notify_url[:300],
                created_at=now(),
            )
        )
        await audit(
            actor=customer_id,
            actor_kind="customer",
            action="agreement.sign",
            object_type="agreement",
            object_id=public_id,
            after={"account": account, "provider": provider_id, "state": PENDING_A},
        )
    request = AgreementRequest(public_id, customer_id, account, channel, return_url(public_id), notify_url, subject)
    checkout = await provider.sign_agreement(request)
    return await Agreement.select().where(Agreement.public_id == public_id).first(), checkout


async def handle_agreement_notification(hall, provider, form: dict[str, str]) -> tuple[int, str, str]:
    """The provider's agreement notification: verified, then the agreement moves; a forgery is audited and refused."""
    claimed = str(form.get("external_agreement_no", "") or form.get("agreement_id", ""))[:64]
    try:
        notice = await provider.verify_agreement_notification(dict(form))
    except InvalidNotification as exc:
        log.warning("agreement notification from %s refused: %s", provider.id, exc)
        await audit(
            actor=provider.id,
            actor_kind="system",
            action="agreement.notification_refused",
            object_type="agreement",
            object_id=claimed,
            summary=f"invalid notification: {exc}"[:300],
        )
        return provider.notification_response(False)
    await apply_notice(provider.id, notice)
    return provider.notification_response(True)


async def apply_notice(provider_id: str, notice: AgreementNotice) -> dict | None:
    """Move the agreement as the provider's verified word says (idempotent); the row after, or None when unknown."""
    row = await Agreement.select().where(Agreement.public_id == notice.agreement_id).first()
    if row is None or row["provider"] != provider_id:
        log.warning("agreement notification for unknown agreement %r from %s", notice.agreement_id, provider_id)
        return None
    stamp = now()
    async with transaction():
        if notice.status == ACTIVE:
            moved = (
                await Agreement.update(
                    {
                        Agreement.state: ACTIVE,
                        Agreement.agreement_no: notice.agreement_no[:64],
                        Agreement.payer: notice.payer[:64],
                        Agreement.signed_at: stamp,
                    }
                )
                .where((Agreement.id == row["id"]) & (Agreement.state == PENDING_A))
                .returning(Agreement.id)
            )
            if moved:  # one active agreement per account: the older one is ended here (the provider ends it too)
                await Agreement.update(
                    {Agreement.state: CANCELLED, Agreement.ended_at: stamp, Agreement.reason: "replaced"}
                ).where(
                    (Agreement.account_legacy_id == row["account_legacy_id"])
                    & (Agreement.state == ACTIVE)
                    & (Agreement.id != row["id"])
                )
        else:
            moved = (
                await Agreement.update(
                    {Agreement.state: CANCELLED, Agreement.ended_at: stamp, Agreement.reason: "provider"}
                )
                .where((Agreement.id == row["id"]) & Agreement.state.is_in([PENDING_A, ACTIVE]))
                .returning(Agreement.id)
            )
        if moved:
            await audit(
                actor=provider_id,
                actor_kind="system",
                action="agreement.signed" if notice.status == ACTIVE else "agreement.cancelled",
                object_type="agreement",
                object_id=row["public_id"],
                before={"state": row["state"]},
                after={"state": notice.status, "agreement_no": notice.agreement_no},
            )
    return await Agreement.select().where(Agreement.id == row["id"]).first()


async def expire_stale(before) -> int:
    """Agreements still ``pending`` (sent to sign) since before ``before`` were never signed: ``expired``. How many."""
    rows = (
        await Agreement.update({Agreement.state: EXPIRED, Agreement.ended_at: now(), Agreement.reason: "not signed"})
        .where((Agreement.state == PENDING_A) & (Agreement.created_at < before))
        .returning(Agreement.public_id)
    )
    for row in rows:
        await audit(
            actor="system",
            actor_kind="system",
            action="agreement.expired",
            object_type="agreement",
            object_id=row["public_id"],
            after={"state": EXPIRED},
        )
    return len(rows)


async def cancel_agreement(hall, public_id: str, *, actor: str, actor_kind: str, reason: str = "customer") -> bool:
    """End an agreement at the provider, then here; False when it was not pending or active. ProviderUnavailable propagates."""
    tenant = require_tenant()
    row = await Agreement.select().where(Agreement.public_id == public_id).first()
    if row is None or row["state"] not in (PENDING_A, ACTIVE):
        return False
    provider = provider_for(hall, tenant, row["provider"], switched_off_too=True)
    if row["state"] == ACTIVE and can_agree(provider):
        await provider.cancel_agreement(view_of(row))
    async with transaction():
        moved = (
            await Agreement.update({Agreement.state: CANCELLED, Agreement.ended_at: now(), Agreement.reason: reason})
            .where((Agreement.id == row["id"]) & (Agreement.state == row["state"]))
            .returning(Agreement.id)
        )
        if moved:
            await audit(
                actor=actor,
                actor_kind=actor_kind,
                action="agreement.cancel",
                object_type="agreement",
                object_id=public_id,
                before={"state": row["state"]},
                after={"state": CANCELLED, "reason": reason},
            )
    return bool(moved)


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
    async with transaction():
        await PaymentIntent.update({PaymentIntent.state: PENDING, PaymentIntent.updated_at: now()}).where(
            (PaymentIntent.public_id == intent.id) & PaymentIntent.state.is_in(list(OPEN))
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
