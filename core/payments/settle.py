"""Settlement: the single path by which a gateway's word changes an intent (notifications and reconciliation alike).

Exactly once: the move to ``succeeded`` is one conditional UPDATE (``WHERE
state IN (created, pending, failed, canceled) RETURNING``). Only one caller's
UPDATE returns the row - on SQLite the transaction holds the write lock, on
PostgreSQL a concurrent duplicate waits on the row lock and then finds the
state changed. The winner, in the SAME transaction, calls the owning plugin's
``payment_succeeded`` hook and writes the ``payment.posted`` outbox event
(销账). A crash anywhere before the commit leaves the intent as it was; the
gateway's next notification or the reconciliation job settles it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import uuid
import weakref

from core.db import piccolo_conf, transaction
from core.db.sqlite import PooledSQLiteEngine
from core.legacy import outbox
from core.payments import claims, ledger, statements
from core.payments.model import CANCELED, FAILED, OPEN, PENDING, SETTLEABLE, SUCCEEDED, Intent, now
from core.payments.providers import GatewayResult
from core.payments.refunds import reserve, send_pending_of
from core.payments.tables import PaymentIntent
from core.tenancy import require_tenant
from core.utils import await_each

log = logging.getLogger("hall.payments")
POSTED = "payment.posted"
EVENT_IDS = uuid.UUID("6f1c2b0e-5d47-4c3a-9a43-1d2f3e4a5b6c")  # namespace of the outbox ids: one id per intent, forever


class Outcome(str, enum.Enum):
    CREDITED = "credited"  # this call moved it to succeeded: fulfilled and posted
    DUPLICATE = "duplicate"  # already settled that way: nothing to do
    UPDATED = "updated"  # pending / failed / canceled recorded
    UNCHANGED = "unchanged"  # the gateway has nothing new
    REFUSED = "refused"  # wrong amount or provider, unknown intent: never credited
    REFUNDING = (
        "refunding"  # a late payment of what another payment has paid meanwhile: recorded, never fulfilled, refunded
    )

    @property
    def handled(self) -> bool:
        """Whether to tell the gateway "received" (it stops re-sending)."""
        return self is not Outcome.REFUSED


_sqlite_writers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = weakref.WeakKeyDictionary()


def one_writer():
    """On SQLite, settlements of one process queue on an asyncio lock instead of in SQLite's busy handler.

    SQLite has one writer at a time anyway; its busy handler waits by sleeping
    (up to 100 ms a round), which under a burst of notifications costs far more
    than the write. PostgreSQL needs no lock: its row lock makes duplicates wait.
    """
    if not isinstance(piccolo_conf.DB, PooledSQLiteEngine):
        return contextlib.nullcontext()
    loop = asyncio.get_running_loop()
    lock = _sqlite_writers.get(loop)
    if lock is None:
        lock = _sqlite_writers[loop] = asyncio.Lock()
    return lock


def posted_event_id(tenant_id: str, intent_id: str) -> str:
    return str(uuid.uuid5(EVENT_IDS, f"{tenant_id}:{intent_id}"))


def posted_payload(intent: Intent, paid_at) -> dict:
    return {
        "intent_id": intent.id,
        "purpose": intent.purpose,
        "owner": intent.owner,
        "reference": intent.reference,
        "customer_id": intent.customer_id,
        "amount_fen": intent.amount_fen,
        "currency": intent.currency,
        "provider": intent.provider,
        "provider_ref": intent.provider_ref,
        "paid_at": paid_at.isoformat(),
        "metadata": intent.metadata,
    }


async def fulfil(hall, tenant, intent: Intent) -> bool:
    """Call ``payment_succeeded`` on the owning plugin only. False when no such plugin is installed any more."""
    if not hall.plugins.has(intent.owner):
        log.error(
            "tenant %s: payment %s is paid but its owner plugin %r is not installed; nobody fulfils it",
            tenant.id,
            intent.id,
            intent.owner,
        )
        return False
    hooks = hall.plugins.for_plugins(frozenset({intent.owner}))
    await await_each(hooks.payment_succeeded(hall=hall, tenant=tenant, intent=intent))
    return True


async def _refuse(result: GatewayResult, provider_id: str, source: str, reason: str, state: str = "") -> Outcome:
    log.warning("payment %s: %s from %s refused: %s", result.intent_id, source, provider_id, reason)
    await ledger.record(
        source, result.intent_id, provider=provider_id, from_state=state, accepted=False, reason=reason, data=result.raw
    )
    return Outcome.REFUSED


async def _credit(
    hall, tenant, from_state: str, won: dict, result: GatewayResult, provider_id: str, source: str, stamp
) -> Outcome:
    """This call won the conditional UPDATE: ledger, fulfilment and the payment.posted event, in the same transaction.

    A late payment (the intent was canceled or failed, so its claims were let
    go) first takes its claims back; if another payment holds them now, the
    same things would be paid twice: it is refunded instead of fulfilled.
    """
    intent = Intent.from_row(won)
    late = from_state not in OPEN
    if late and intent.claims:
        try:
            await claims.take(tenant.id, intent.id, list(intent.claims))
        except claims.ClaimConflict as conflict:
            return await _refund_duplicate(tenant, intent, from_state, conflict.holders, result, provider_id, source)
    await ledger.record(
        source,
        intent.id,
        provider=provider_id,
        from_state=from_state,
        to_state=SUCCEEDED,
        reason="late payment of a closed intent" if late else "",
        data=result.raw,
    )
    await fulfil(hall, tenant, intent)
    await outbox.emit(POSTED, posted_payload(intent, stamp), event_id=posted_event_id(tenant.id, intent.id))
    from core.tmf.events import payment_succeeded  # the public API's hub (docs/api.md), in this transaction

    await payment_succeeded(intent)
    return Outcome.CREDITED


async def _refund_duplicate(
    tenant, intent: Intent, from_state: str, holders: list[str], result: GatewayResult, provider_id: str, source: str
) -> Outcome:
    """Money taken for what ``holders`` pay: succeeded (it was paid), not fulfilled, not posted, and a full refund reserved."""
    await PaymentIntent.update({PaymentIntent.fulfilled_at: None}).where(PaymentIntent.public_id == intent.id)
    why = f"late payment of a canceled intent; {', '.join(holders)} paid the same meanwhile: refunded in full, not fulfilled"
    await ledger.record(
        source, intent.id, provider=provider_id, from_state=from_state, to_state=SUCCEEDED, reason=why, data=result.raw
    )
    log.warning("tenant %s: payment %s: %s", tenant.id, intent.id, why)
    await reserve(intent.id, intent.amount_fen, "duplicate payment: refunded automatically", "system", undo=False)
    return Outcome.REFUNDING


async def _succeed(hall, tenant, row: dict, result: GatewayResult, provider_id: str, source: str) -> Outcome:
    stamp = now()
    owner_installed = hall.plugins.has(
        row["owner"]
    )  # the fulfilment runs in this transaction: fulfilled_at commits with it
    won = (
        await PaymentIntent.update(
            {
                PaymentIntent.state: SUCCEEDED,
                PaymentIntent.provider_ref: result.provider_ref[:64],
                PaymentIntent.succeeded_at: stamp,
                PaymentIntent.updated_at: stamp,
                PaymentIntent.fulfilled_at: stamp if owner_installed else None,
            }
        )
        .where((PaymentIntent.id == row["id"]) & PaymentIntent.state.is_in(list(SETTLEABLE)))
        .returning(*PaymentIntent.all_columns())
    )
    if not won:  # someone else settled it first (or it was refunded since): a duplicate, never a second credit
        await ledger.record(
            source, row["public_id"], provider=provider_id, reason="duplicate: already settled", data=result.raw
        )
        return Outcome.DUPLICATE
    return await _credit(hall, tenant, row["state"], won[0], result, provider_id, source, stamp)


async def precheck(hall, tenant, provider_id: str, result: GatewayResult, source: str) -> Outcome | dict | None:
    """Read the intent before any write lock: the outcome when the read decides it (a refusal, a duplicate),
    the row when a "paid" may credit it (claim it with :func:`claim_and_credit`), None for the careful path.

    What that read decides cannot change later - an intent's provider and amount
    never change, and a paid intent never becomes settleable again - so refusals
    and duplicates need only their ledger row.
    """
    row = await statements.intent_row(tenant.id, result.intent_id)
    if row is None:
        return await _refuse(result, provider_id, source, "unknown intent")
    if row["provider"] != provider_id:
        return await _refuse(
            result, provider_id, source, f"intent belongs to provider {row['provider']!r}", row["state"]
        )
    if result.status != SUCCEEDED:
        return None
    if result.amount_fen != int(row["amount_fen"]):
        return await _refuse(
            result,
            provider_id,
            source,
            f"amount mismatch: gateway {result.amount_fen} fen, intent {row['amount_fen']} fen",
            row["state"],
        )
    if row["state"] not in SETTLEABLE:  # paid (or refunded) already: a duplicate, never a second credit
        await ledger.record(
            source, row["public_id"], provider=provider_id, reason="duplicate: already settled", data=result.raw
        )
        return Outcome.DUPLICATE
    return row


async def claim_and_credit(hall, tenant, row: dict, provider_id: str, result: GatewayResult, source: str):
    """Inside the caller's write transaction: the conditional UPDATE on the state ``row`` was read in, then the credit.

    The outcome, or None when the row moved since it was read (nothing written:
    the careful path settles it again). This UPDATE is the exactly-once step
    (core.payments.statements.claim_success).
    """
    stamp = now()
    won = await statements.claim_success(
        tenant.id, row["id"], row["state"], result.provider_ref, stamp, hall.plugins.has(row["owner"])
    )
    if won is None:
        return None
    return await _credit(hall, tenant, row["state"], won, result, provider_id, source, stamp)


async def _settle_quickly(hall, tenant, provider_id: str, result: GatewayResult, source: str) -> Outcome | None:
    """The common cases in the fewest statements; None when only the careful path (below) can tell.

    The intent is read before any write lock is taken (:func:`precheck`). A
    "paid" for a settleable intent takes the write lock and claims it with one
    conditional UPDATE that also requires the state read; if the row moved in
    between, that UPDATE changes nothing and the careful path settles it again.
    """
    checked = await precheck(hall, tenant, provider_id, result, source)
    if not isinstance(checked, dict):
        return checked
    async with one_writer(), transaction():
        return await claim_and_credit(hall, tenant, checked, provider_id, result, source)


async def _move(row: dict, to_state: str, result: GatewayResult, provider_id: str, source: str) -> Outcome:
    allowed = list(OPEN) if to_state != PENDING else ["created"]
    values = {PaymentIntent.state: to_state, PaymentIntent.updated_at: now()}
    if result.provider_ref:
        values[PaymentIntent.provider_ref] = result.provider_ref[:64]
    moved = (
        await PaymentIntent.update(values)
        .where((PaymentIntent.id == row["id"]) & PaymentIntent.state.is_in(allowed))
        .returning(PaymentIntent.id)
    )
    if not moved:
        await ledger.record(
            source,
            row["public_id"],
            provider=provider_id,
            reason=f"gateway says {result.status}; intent is {row['state']}",
            data=result.raw,
        )
        return Outcome.UNCHANGED
    if to_state != PENDING:  # failed or closed at the gateway: it can no longer be paid, let others pay the same
        await claims.release(row["tenant"], row["public_id"])
    await ledger.record(
        source, row["public_id"], provider=provider_id, from_state=row["state"], to_state=to_state, data=result.raw
    )
    return Outcome.UPDATED


async def settle(hall, provider_id: str, result: GatewayResult, *, source: str = "notification") -> Outcome:
    """Apply a verified gateway result to its intent in the current tenant; safe to call any number of times, concurrently."""
    outcome = await _settle(hall, provider_id, result, source)
    await after_commit(hall, outcome, result)
    return outcome


async def after_commit(hall, outcome: Outcome, result: GatewayResult) -> None:
    """What follows a committed settlement: ``payment_posted`` for a credit, the refund of a late duplicate payment."""
    if outcome is Outcome.CREDITED:  # committed: whoever cares (the arrears of the account) hears of it now
        await _tell_posted(hall, result.intent_id)
    if (
        outcome is Outcome.REFUNDING
    ):  # committed: ask the gateway for the money back now (the reconciliation job retries)
        await send_pending_of(hall, result.intent_id)


async def _tell_posted(hall, intent_id: str) -> None:
    """``payment_posted`` to every plugin of the tenant, after the commit; a failure is logged, the payment stays paid."""
    tenant = require_tenant()
    try:
        row = await statements.intent_row(tenant.id, intent_id)  # plain SQL: on every credited payment's path
        if row is None:
            return
        await await_each(hall.hooks_for(tenant).payment_posted(hall=hall, tenant=tenant, intent=Intent.from_row(row)))
    except Exception:
        log.exception(
            "tenant %s: payment %s: a payment_posted hook failed (the periodic jobs catch up)", tenant.id, intent_id
        )


async def _settle(hall, provider_id: str, result: GatewayResult, source: str) -> Outcome:
    tenant = require_tenant()
    try:
        quick = await _settle_quickly(hall, tenant, provider_id, result, source)
        if quick is not None:
            return quick
        async with one_writer(), transaction():
            row = await PaymentIntent.select().where(PaymentIntent.public_id == result.intent_id).first()
            if row is None:
                return await _refuse(result, provider_id, source, "unknown intent")
            if row["provider"] != provider_id:
                return await _refuse(
                    result, provider_id, source, f"intent belongs to provider {row['provider']!r}", row["state"]
                )
            if result.status == SUCCEEDED:
                if result.amount_fen != int(row["amount_fen"]):
                    return await _refuse(
                        result,
                        provider_id,
                        source,
                        f"amount mismatch: gateway {result.amount_fen} fen, intent {row['amount_fen']} fen",
                        row["state"],
                    )
                return await _succeed(hall, tenant, row, result, provider_id, source)
            if result.status in (PENDING, FAILED, CANCELED):
                return await _move(row, result.status, result, provider_id, source)
            await ledger.record(
                source,
                row["public_id"],
                provider=provider_id,
                reason=f"gateway status {result.status}",
                data=result.raw,
            )
            return Outcome.UNCHANGED
    except Exception as exc:  # the fulfilment refused or broke: nothing committed; record why, the gateway retries
        log.exception("payment %s: settlement failed", result.intent_id)
        await ledger.record(
            "fulfilment",
            result.intent_id,
            provider=provider_id,
            accepted=False,
            reason=f"settlement rolled back: {type(exc).__name__}: {exc}",
            data=result.raw,
        )
        raise
