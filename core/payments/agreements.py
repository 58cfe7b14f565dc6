"""Automatic-payment agreements (代扣协议): signing at a provider, its notification, charging without the customer.

An agreement belongs to one customer's billing account at one provider. It is
``pending`` from the moment the customer is sent to sign, ``active`` once the
provider's *verified* notification says signed (a forged one changes nothing
and is audited as refused), and ``cancelled`` (customer, operator, provider) or
``expired`` (never signed). At most one is active per account: signing again
ends the older one.

``charge_agreement`` (core/payments/agreement_charge.py) takes money under an idempotency key through the
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
from core.payments.model import PaymentError, now
from core.payments.providers import (
    AgreementNotice,
    AgreementRequest,
    AgreementView,
    Checkout,
    InvalidNotification,
)
from core.payments.registry import enabled_providers, provider_for
from core.payments.tables import Agreement
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


async def cancel_agreement(
    hall, public_id: str, *, actor: str, actor_kind: str, reason: str = "customer", note: str = ""
) -> bool:
    """End an agreement at the provider, then here; False when it was not pending or active. ProviderUnavailable propagates.

    ``reason`` is the end reason's code (``customer``, ``operator``); ``note`` the words an operator gave, audited.
    """
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
                after={"state": CANCELLED, "reason": reason, **({"note": note} if note else {})},
                summary=note[:500] if note else "",
            )
    return bool(moved)
