"""Refunds, partial or full, never more than was paid, never lost or doubled by a crash.

1. One transaction: a conditional UPDATE adds the amount to the intent's
   ``refunded_fen`` only ``WHERE refunded_fen + amount <= amount_fen`` (so two
   concurrent refunds can never exceed the payment), and a ``pending`` Refund
   row is written.
2. Outside any transaction: the gateway is asked, with the Refund's id as its
   idempotency key.
3. The answer settles the Refund row (conditional on ``pending``). A refused
   refund gives its amount back. A succeeded one, in the same transaction,
   calls the owning plugin's ``payment_refunded`` hook and writes a
   ``payment.refunded`` outbox event, so the legacy system learns of it (冲正)
   exactly once. A crash or an unreachable gateway leaves it pending;
   :func:`retry_pending` (the reconciliation job) asks again with the same id,
   and the gateway does not refund twice.

A caller that may ask twice (two clicks, two operators, a retry after a crash)
passes ``key``: the refund's id is then derived from the key
(:func:`refund_id_for`), and the unique ``(tenant, refund_id)`` index lets one
refund per key exist. A second call with the key gets the first refund back.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid

from piccolo.columns.combination import WhereRaw

from core.db import transaction
from core.legacy import outbox
from core.payments import claims, ledger
from core.payments.model import PAID, PARTIALLY_REFUNDED, REFUNDED, IdempotencyConflict, Intent, PaymentError, now
from core.payments.providers import ProviderUnavailable
from core.payments.registry import provider_for
from core.payments.tables import PaymentIntent, Refund
from core.tenancy import require_tenant
from core.utils import await_each

log = logging.getLogger("hall.payments")
REFUNDED_EVENT = "payment.refunded"
REFUND_EVENT_IDS = uuid.UUID(
    "0b7e2f6a-3c1d-4e8f-9a2b-5c6d7e8f9a0b"
)  # namespace of refund outbox ids: one per refund, forever


def refund_id_for(key: str) -> str:
    """The refund id of the refund asked with ``key``: ``rf`` and 28 hex digits of the key's SHA-256.

    The same key always gives the same id (the gateway's idempotency key too), so the unique ``(tenant, refund_id)``
    index settles two processes racing with one key. It looks like any refund id (the BSS comparison finds it).
    """
    return "rf" + hashlib.sha256(key.encode()).hexdigest()[:28]


def refunded_event_id(tenant_id: str, refund_id: str) -> str:
    return str(uuid.uuid5(REFUND_EVENT_IDS, f"{tenant_id}:{refund_id}"))


async def _undo(hall, intent: Intent, refund: dict, provider_ref: str) -> None:
    """The owner's ``payment_refunded`` and the ``payment.refunded`` event, in the refund's transaction."""
    tenant = require_tenant()
    if hall.plugins.has(intent.owner):
        hooks = hall.plugins.for_plugins(frozenset({intent.owner}))
        info = {"refund_id": refund["refund_id"], "amount_fen": refund["amount_fen"], "reason": refund["reason"]}
        await await_each(hooks.payment_refunded(hall=hall, tenant=tenant, intent=intent, refund=info))
    payload = {
        "refund_id": refund["refund_id"],
        "intent_id": intent.id,
        "purpose": intent.purpose,
        "owner": intent.owner,
        "reference": intent.reference,
        "customer_id": intent.customer_id,
        "amount_fen": refund["amount_fen"],
        "payment_amount_fen": intent.amount_fen,
        "currency": intent.currency,
        "provider": intent.provider,
        "provider_ref": provider_ref,
        "state": intent.state,
        "refunded_at": now().isoformat(),
        "metadata": intent.metadata,
    }
    await outbox.emit(REFUNDED_EVENT, payload, event_id=refunded_event_id(tenant.id, refund["refund_id"]))


async def reserve(
    intent_id: str, amount_fen: int, reason: str, operator: str, *, undo: bool = True, refund_id: str = ""
) -> dict:
    """Step 1: count the amount as refunded and write the pending Refund (joins the caller's transaction when there is one).

    ``undo=False``: a refund of a payment that was never fulfilled or posted (a
    duplicate); its success calls no ``payment_refunded`` and writes no event.
    ``refund_id``: the id to give it (a keyed refund's); a second row with it is refused by the unique index.
    """
    async with transaction():
        rows = (
            await PaymentIntent.update(
                {PaymentIntent.refunded_fen: PaymentIntent.refunded_fen + amount_fen, PaymentIntent.updated_at: now()}
            )
            .where(
                (PaymentIntent.public_id == intent_id)
                & PaymentIntent.state.is_in(list(PAID))
                & WhereRaw('"refunded_fen" + {} <= "amount_fen"', amount_fen)
            )
            .returning(PaymentIntent.provider)
        )
        if not rows:
            raise PaymentError(
                f"payment {intent_id} cannot be refunded {amount_fen} fen: not paid, or more than what is left"
            )
        refund = Refund(
            refund_id=refund_id or "rf" + secrets.token_hex(14),
            intent_id=intent_id,
            amount_fen=amount_fen,
            state="pending",
            reason=reason[:500],
            operator=operator[:64],
            undo=undo,
            created_at=now(),
            updated_at=now(),
        )
        await Refund.insert(refund)
        await ledger.record(
            "refund",
            intent_id,
            provider=rows[0]["provider"],
            reason=f"refund {refund.refund_id} of {amount_fen} fen asked by {operator}: {reason}",
        )
    return {
        "refund_id": refund.refund_id,
        "intent_id": intent_id,
        "amount_fen": amount_fen,
        "reason": reason,
        "provider": rows[0]["provider"],
        "undo": undo,
    }


async def _finish(hall, refund: dict, ok: bool, provider_ref: str = "", error: str = "") -> None:
    async with transaction():
        done = (
            await Refund.update(
                {
                    Refund.state: "succeeded" if ok else "failed",
                    Refund.provider_ref: provider_ref[:64],
                    Refund.last_error: error[:2000],
                    Refund.updated_at: now(),
                }
            )
            .where((Refund.refund_id == refund["refund_id"]) & (Refund.state == "pending"))
            .returning(Refund.id)
        )
        if not done:
            return
        intent = await PaymentIntent.select().where(PaymentIntent.public_id == refund["intent_id"]).first()
        if ok:
            # refunded_fen counts reservations too, so only succeeded refunds decide: full only when all of it came back
            succeeded = sum(
                r["amount_fen"]
                for r in await Refund.select(Refund.amount_fen).where(
                    (Refund.intent_id == refund["intent_id"]) & (Refund.state == "succeeded")
                )
            )
            state = REFUNDED if succeeded >= intent["amount_fen"] else PARTIALLY_REFUNDED
            await PaymentIntent.update({PaymentIntent.state: state, PaymentIntent.updated_at: now()}).where(
                PaymentIntent.public_id == refund["intent_id"]
            )
            if state == REFUNDED:  # all of it came back: what it paid for may be paid again
                await claims.release(require_tenant().id, refund["intent_id"])
            if refund.get("undo", True):
                await _undo(hall, Intent.from_row({**intent, "state": state}), refund, provider_ref)
            await ledger.record(
                "refund",
                refund["intent_id"],
                provider=refund["provider"],
                from_state=intent["state"],
                to_state=state,
                reason=f"refund {refund['refund_id']} of {refund['amount_fen']} fen done",
                data={"provider_ref": provider_ref},
            )
        else:
            await PaymentIntent.update(
                {
                    PaymentIntent.refunded_fen: PaymentIntent.refunded_fen - refund["amount_fen"],
                    PaymentIntent.updated_at: now(),
                }
            ).where(PaymentIntent.public_id == refund["intent_id"])
            await ledger.record(
                "refund",
                refund["intent_id"],
                provider=refund["provider"],
                accepted=False,
                reason=f"refund {refund['refund_id']} refused by the gateway: {error}",
            )


async def _ask_gateway(hall, refund: dict) -> str:
    """'succeeded' | 'failed' | 'pending' (gateway unreachable: retried later with the same refund id)."""
    tenant = require_tenant()
    provider = provider_for(hall, tenant, refund["provider"], switched_off_too=True)
    if provider is None:
        return "pending"
    await Refund.update({Refund.attempts: Refund.attempts + 1}).where(Refund.refund_id == refund["refund_id"])
    try:
        ref = await provider.refund(refund["intent_id"], refund["refund_id"], refund["amount_fen"], refund["reason"])
    except (ProviderUnavailable, TimeoutError) as exc:
        await Refund.update({Refund.last_error: str(exc)[:2000]}).where(Refund.refund_id == refund["refund_id"])
        log.warning("refund %s: gateway unavailable, retried later: %s", refund["refund_id"], exc)
        return "pending"
    except Exception as exc:  # the gateway refused it
        await _finish(hall, refund, False, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    try:
        await _finish(hall, refund, True, provider_ref=ref or "")
    except (
        Exception
    ):  # the owner's payment_refunded broke: nothing committed, the refund stays pending and is asked again
        log.exception(
            "refund %s: done at the gateway, but recording it failed; retried by the reconciliation job",
            refund["refund_id"],
        )
        return "pending"
    return "succeeded"


async def refund(
    hall, intent_id: str, amount_fen: int, *, reason: str, operator: str, key: str = ""
) -> tuple[str, str]:
    """Refund ``amount_fen`` of a paid intent; returns (refund id, 'succeeded' | 'failed' | 'pending'). Raises PaymentError when too much.

    ``key`` (e.g. ``"shop-aftersales:12"``): at most one refund per key and tenant, whatever the retries or the
    concurrency; a call with a key already used returns that refund (asking the gateway again while it is pending)
    and refunds nothing more; the key used for another payment or amount raises IdempotencyConflict. Call it
    outside a transaction: a lost race is settled by the database's unique index.
    """
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise PaymentError("a refund is a positive integer number of fen")
    if key:
        return await _keyed(hall, intent_id, amount_fen, reason, operator, key)
    reserved = await reserve(intent_id, amount_fen, reason, operator)
    return reserved["refund_id"], await _ask_gateway(hall, reserved)


async def _earlier(refund_id: str, intent_id: str, amount_fen: int) -> dict | None:
    """The refund already made with this key; IdempotencyConflict when it was for another payment or amount."""
    row = await Refund.select().where(Refund.refund_id == refund_id).first()
    if row is not None and (row["intent_id"] != intent_id or int(row["amount_fen"]) != amount_fen):
        raise IdempotencyConflict(f"refund key of {refund_id} was used for another payment or amount")
    return row


async def _keyed(hall, intent_id: str, amount_fen: int, reason: str, operator: str, key: str) -> tuple[str, str]:
    refund_id = refund_id_for(key)
    row = await _earlier(refund_id, intent_id, amount_fen)
    if row is None:
        try:
            reserved = await reserve(intent_id, amount_fen, reason, operator, refund_id=refund_id)
        except Exception:  # the unique index refused a second row (a racer won), or too much: which one?
            row = await _earlier(refund_id, intent_id, amount_fen)
            if row is None:
                raise
        else:
            return refund_id, await _ask_gateway(hall, reserved)
    if row["state"] == "pending":  # a crash or an outage left it unasked: the same id, never a second refund
        return refund_id, await _ask_again(hall, row)
    return refund_id, row["state"]


async def _ask_again(hall, row: dict) -> str:
    """:func:`_ask_gateway` for a pending Refund row (its intent's provider looked up): the same id, never a second refund."""
    intent = (
        await PaymentIntent.select(PaymentIntent.provider).where(PaymentIntent.public_id == row["intent_id"]).first()
    )
    return await _ask_gateway(
        hall,
        {
            "refund_id": row["refund_id"],
            "intent_id": row["intent_id"],
            "amount_fen": int(row["amount_fen"]),
            "reason": row["reason"],
            "provider": intent["provider"] if intent else "",
            "undo": row["undo"],
        },
    )


async def send_pending_of(hall, intent_id: str) -> None:
    """Ask the gateway now for the pending refunds of one intent; never raises (the reconciliation job asks again)."""
    try:
        for row in await Refund.select().where((Refund.intent_id == intent_id) & (Refund.state == "pending")):
            await _ask_again(hall, row)
    except Exception:
        log.exception("payment %s: its refund could not be asked for now; the reconciliation job retries", intent_id)


async def retry_pending(hall, limit: int = 50) -> int:
    """Ask the gateway again about refunds left pending (a crash, an outage); the same id never refunds twice."""
    rows = await Refund.select().where(Refund.state == "pending").order_by(Refund.id).limit(limit)
    done = 0
    for row in rows:
        done += await _ask_again(hall, row) != "pending"
    return done
