"""Asking for money: create an intent (idempotently), start a checkout at the gateway, cancel an unpaid one."""

from __future__ import annotations

import datetime as dt
import json
import secrets

from core.db import transaction
from core.payments import claims as claim_rows
from core.payments import ledger
from core.payments.model import (
    CANCELED,
    CREATED,
    CURRENCIES,
    OPEN,
    PENDING,
    IdempotencyConflict,
    Intent,
    PaymentError,
    now,
)
from core.payments.providers import CHANNELS, PROVIDER_CHANNELS, Checkout, CheckoutRequest
from core.payments.registry import enabled_providers, payment_settings, provider_for
from core.payments.tables import PaymentIntent
from core.tenancy import require_tenant

MAX_FEN = 10**12  # ten billion yuan: anything above is a bug, not a payment


def new_public_id() -> str:
    """30 characters, 112 random bits: unguessable, and valid as any gateway's out_trade_no."""
    return "pi" + secrets.token_hex(14)


async def get_intent(intent_id: str) -> Intent | None:
    row = await PaymentIntent.select().where(PaymentIntent.public_id == intent_id).first()
    return Intent.from_row(row) if row else None


async def intents_of(
    *, customer_id: str | None = None, owner: str | None = None, reference: str | None = None, limit: int = 100
) -> list[Intent]:
    query = PaymentIntent.select()
    if customer_id is not None:
        query = query.where(PaymentIntent.customer_id == customer_id)
    if owner is not None:
        query = query.where(PaymentIntent.owner == owner)
    if reference is not None:
        query = query.where(PaymentIntent.reference == reference)
    return [Intent.from_row(r) for r in await query.order_by(PaymentIntent.id, ascending=False).limit(limit)]


def _check_amount(amount_fen) -> int:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise PaymentError(f"amount_fen must be an integer number of fen, not {type(amount_fen).__name__}")
    if not 0 < amount_fen <= MAX_FEN:
        raise PaymentError(f"amount_fen must be between 1 and {MAX_FEN}, got {amount_fen}")
    return amount_fen


def _check_metadata(metadata) -> dict:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise PaymentError("metadata must be a dict of JSON values")
    try:
        text = json.dumps(metadata, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise PaymentError(f"metadata must be JSON: {exc}") from None
    if len(text) > 8000:
        raise PaymentError("metadata must be at most 8,000 characters of JSON")
    return json.loads(text)


def _same_request(row: dict, wanted: dict) -> bool:
    """The provider is not compared: the one a plugin names is the default, and the customer may choose another at checkout."""
    return all(row[k] == v for k, v in wanted.items() if k != "provider")


async def create_intent(
    hall,
    *,
    purpose: str,
    owner: str,
    reference: str,
    customer_id: str,
    amount_fen: int,
    provider: str,
    idempotency_key: str,
    subject: str = "",
    currency: str = "CNY",
    metadata: dict | None = None,
    claims: list[str] | None = None,
) -> Intent:
    """Ask for a payment in the current tenant. The same key returns the same intent; reused for another payment it raises IdempotencyConflict.

    ``metadata`` is the owner's own JSON (e.g. which bills are paid): kept on the
    intent and passed on in the ``payment.posted`` outbox event, so the legacy
    system learns what was bought. It is not part of the idempotency check.

    ``claims`` name what the payment buys (e.g. ``bill:<id>@<paid before>``): held
    exclusively with the intent, in its transaction, so no other payment can be
    created for any of them while this one may still be paid
    (:class:`core.payments.claims.ClaimConflict` names the holder).
    """
    tenant = require_tenant()
    amount_fen = _check_amount(amount_fen)
    if currency not in CURRENCIES:
        raise PaymentError(f"currency {currency!r} is not supported (have: {', '.join(CURRENCIES)})")
    if not idempotency_key or len(idempotency_key) > 128:
        raise PaymentError("an idempotency key of 1-128 characters is required (e.g. '<plugin>:<reference>:<attempt>')")
    if not purpose or not owner or len(purpose) > 64 or len(reference) > 128:
        raise PaymentError("purpose and owner are required (purpose ≤ 64, reference ≤ 128 characters)")
    metadata = _check_metadata(metadata)
    claims = claim_rows.check_claims(claims)
    wanted = {
        "purpose": purpose,
        "owner": owner,
        "reference": reference,
        "customer_id": customer_id,
        "amount_fen": amount_fen,
        "currency": currency,
        "provider": provider,
    }
    existing = await PaymentIntent.select().where(PaymentIntent.idempotency_key == idempotency_key).first()
    if existing is None:
        if provider not in enabled_providers(hall, tenant):
            raise PaymentError(f"payment provider {provider!r} is not switched on for tenant {tenant.id!r}")
        if not hall.plugins.has(owner):
            raise PaymentError(f"owner {owner!r} is not an installed plugin (it must fulfil the payment)")
        stamp = now()
        row = PaymentIntent(
            public_id=new_public_id(),
            subject=(subject or purpose)[:128],
            state=CREATED,
            idempotency_key=idempotency_key,
            created_at=stamp,
            updated_at=stamp,
            metadata=metadata,
            claims=claims,
            **wanted,
        )
        async with transaction():
            inserted = (
                await PaymentIntent.insert(row)
                .on_conflict(target=(PaymentIntent.tenant, PaymentIntent.idempotency_key), action="DO NOTHING")
                .returning(PaymentIntent.public_id)
            )
            if inserted:
                await claim_rows.take(tenant.id, row.public_id, claims)  # ClaimConflict rolls the intent back with it
                await ledger.record(
                    "created",
                    row.public_id,
                    provider=provider,
                    to_state=CREATED,
                    data={"amount_fen": amount_fen, "owner": owner, "reference": reference},
                )
        existing = await PaymentIntent.select().where(PaymentIntent.idempotency_key == idempotency_key).first()
    if not _same_request(existing, wanted):
        differs = sorted(k for k, v in wanted.items() if existing[k] != v and k != "provider")
        raise IdempotencyConflict(
            f"idempotency key {idempotency_key!r} was used for another payment ({', '.join(differs)} differ)"
        )
    return Intent.from_row(existing)


async def start_checkout(
    hall,
    intent_id: str,
    *,
    channel: str,
    return_url: str,
    notify_url: str,
    client_ip: str = "",
    payer_id: str = "",
    payer_url: str = "",
) -> Checkout:
    """Open the gateway's checkout for an unpaid intent (created → pending). Raises ProviderUnavailable when the gateway is down.

    The intent is marked pending (it may be at the gateway) *before* the
    gateway is asked, so a concurrent :func:`cancel` always closes the trade
    there; and the checkout is handed out only if the intent is still open
    afterwards. A PaymentError says it was canceled meanwhile.
    """
    tenant = require_tenant()
    if channel not in CHANNELS:
        raise PaymentError(f"channel must be one of {', '.join(CHANNELS)}")
    intent = await get_intent(intent_id)
    if intent is None:
        raise PaymentError(f"no payment {intent_id!r}")
    provider = provider_for(hall, tenant, intent.provider)
    if provider is None:
        raise PaymentError(f"payment provider {intent.provider!r} is switched off for tenant {tenant.id!r}")
    channel = channel_for(provider, channel)
    async with transaction():
        moved = (
            await PaymentIntent.update(
                {PaymentIntent.state: PENDING, PaymentIntent.channel: channel, PaymentIntent.updated_at: now()}
            )
            .where((PaymentIntent.public_id == intent.id) & PaymentIntent.state.is_in(list(OPEN)))
            .returning(PaymentIntent.id)
        )
        if moved:
            await ledger.record(
                "checkout",
                intent.id,
                provider=intent.provider,
                from_state=intent.state,
                to_state=PENDING,
                data={"channel": channel},
            )
    if not moved:
        raise PaymentError(f"payment {intent_id} is {(await get_intent(intent_id)).state}: it cannot be paid again")
    expires = intent.created_at + dt.timedelta(minutes=payment_settings(hall, tenant).expire_after_minutes)
    checkout = await provider.create_checkout(
        CheckoutRequest(
            intent_id=intent.id,
            amount_fen=intent.amount_fen,
            currency=intent.currency,
            subject=intent.subject,
            channel=channel,
            return_url=return_url,
            notify_url=notify_url,
            expires_at=expires,
            client_ip=client_ip,
            payer_id=payer_id,
            payer_url=payer_url,
        )
    )
    after = await get_intent(intent_id)
    if after is None or not after.open:  # canceled while the gateway was asked: never hand out a checkout for it
        raise PaymentError(f"payment {intent_id} is {after.state if after else 'gone'}: it cannot be paid again")
    return checkout


def channel_for(provider, channel: str) -> str:
    """The channel ``provider`` takes for a payer on ``channel``: "inapp" becomes "wap" where it has no in-app flow."""
    if channel in getattr(provider, "channels", PROVIDER_CHANNELS):
        return channel
    return "wap" if channel == "inapp" else channel


async def choose_provider(hall, intent_id: str, provider_id: str) -> Intent:
    """The customer's choice of gateway, before any checkout: only a ``created`` intent moves, to a switched-on provider.

    Raises PaymentError when the provider is not switched on, or the intent went to a gateway already
    (pending, paid, canceled): then it keeps the provider it has, which may hold money or a trade.
    """
    tenant = require_tenant()
    if provider_id not in enabled_providers(hall, tenant):
        raise PaymentError(f"payment provider {provider_id!r} is not switched on for tenant {tenant.id!r}")
    intent = await get_intent(intent_id)
    if intent is None:
        raise PaymentError(f"no payment {intent_id!r}")
    if intent.provider == provider_id:
        return intent
    async with transaction():
        moved = (
            await PaymentIntent.update({PaymentIntent.provider: provider_id, PaymentIntent.updated_at: now()})
            .where((PaymentIntent.public_id == intent_id) & (PaymentIntent.state == CREATED))
            .returning(PaymentIntent.id)
        )
        if moved:
            await ledger.record(
                "state",
                intent_id,
                provider=provider_id,
                from_state=CREATED,
                to_state=CREATED,
                reason=f"the customer chose {provider_id} (was {intent.provider})",
            )
    if not moved:
        raise PaymentError(f"payment {intent_id} went to {intent.provider} already: it keeps that provider")
    return await get_intent(intent_id)


async def cancel(hall, intent_id: str, *, reason: str = "canceled", close_at_gateway: bool = True) -> bool:
    """Cancel an unpaid intent; the trade is closed at the gateway first so it can no longer be paid. False if it was not open.

    Its claims are released in the same transaction. ProviderUnavailable (try
    again later) and the gateway's refusal to close (e.g. it was paid just now:
    the caller asks the gateway and settles) propagate, and nothing changes.
    """
    tenant = require_tenant()
    for _ in range(3):
        intent = await get_intent(intent_id)
        if intent is None or not intent.open:
            return False
        if close_at_gateway and intent.state == PENDING:
            provider = provider_for(hall, tenant, intent.provider, switched_off_too=True)
            if provider is not None:
                await provider.close(intent.id)
        async with transaction():
            # only from the state read: a checkout that started since (created → pending) must be closed at the gateway first
            moved = (
                await PaymentIntent.update({PaymentIntent.state: CANCELED, PaymentIntent.updated_at: now()})
                .where((PaymentIntent.public_id == intent.id) & (PaymentIntent.state == intent.state))
                .returning(PaymentIntent.id)
            )
            if moved:
                await claim_rows.release(tenant.id, intent.id)
                await ledger.record(
                    "state",
                    intent.id,
                    provider=intent.provider,
                    from_state=intent.state,
                    to_state=CANCELED,
                    reason=reason,
                )
                return True
    return False
