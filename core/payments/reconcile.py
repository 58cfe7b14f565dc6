"""The reconciliation job: intents left pending are asked about at the gateway and settled; stale ones are closed.

A customer who pays and closes the browser before coming back (and whose
notification was lost) is still credited: every ``reconcile_after_minutes``
an intent that has not moved is queried, and a "paid" answer goes through
the same :func:`core.payments.settle.settle` as a notification. An intent
unpaid after ``expire_after_minutes`` is closed at the gateway and canceled.
Pending refunds are asked about again. Idempotent: running it twice, or
concurrently with notifications, changes nothing more.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from core.payments import ledger
from core.payments.intents import cancel
from core.payments.model import CREATED, OPEN, SUCCEEDED, now
from core.payments.providers import ProviderUnavailable
from core.payments.refunds import retry_pending
from core.payments.registry import payment_settings, provider_for
from core.payments.settle import Outcome, settle
from core.payments.tables import PaymentIntent

log = logging.getLogger("hall.payments")
JOB_NAME = "core.reconcile_payments"


@dataclass
class ReconcileResult:
    queried: int = 0
    credited: int = 0
    canceled: int = 0
    unavailable: int = 0
    refunds: int = 0


async def reconcile_one(hall, tenant, row: dict, *, expire_before: dt.datetime) -> str:
    """Query one open intent and act on the answer: 'credited', 'canceled', 'unavailable' or 'waiting'."""
    provider = provider_for(hall, tenant, row["provider"], switched_off_too=True)
    if provider is None:
        return "waiting"
    try:
        result = await provider.query(row["public_id"])
    except (ProviderUnavailable, TimeoutError) as exc:
        log.warning("payment %s: gateway unavailable during reconciliation: %s", row["public_id"], exc)
        return "unavailable"
    if result.intent_id != row["public_id"]:
        await ledger.record(
            "query",
            row["public_id"],
            provider=row["provider"],
            accepted=False,
            reason=f"the gateway answered about {result.intent_id!r}",
        )
        return "waiting"
    outcome = await settle(hall, row["provider"], result, source="query")
    if outcome is Outcome.CREDITED:
        return "credited"
    if result.status != SUCCEEDED and row["created_at"] < expire_before:
        try:
            closed = await cancel(
                hall, row["public_id"], reason="expired unpaid", close_at_gateway=result.status != "unknown"
            )
        except (ProviderUnavailable, TimeoutError):
            return "unavailable"
        if closed:
            return "canceled"
    return "waiting"


async def reconcile_payments(
    hall, tenant_id: str, *, at: dt.datetime | None = None, limit: int = 200
) -> ReconcileResult:
    """Job ``core.reconcile_payments`` (every 5 minutes, per tenant)."""
    tenant = hall.tenants.get(tenant_id)
    settings = payment_settings(hall, tenant)
    at = at or now()
    quiet_since = at - dt.timedelta(minutes=settings.reconcile_after_minutes)
    expire_before = at - dt.timedelta(minutes=settings.expire_after_minutes)
    rows = (
        await PaymentIntent.select()
        .where(PaymentIntent.state.is_in(list(OPEN)) & (PaymentIntent.updated_at < quiet_since))
        .order_by(PaymentIntent.updated_at)
        .limit(limit)
    )
    result = ReconcileResult()
    for row in rows:
        if row["state"] == CREATED and row["created_at"] >= expire_before:
            continue  # never sent to the gateway; nothing to ask yet
        result.queried += 1
        outcome = await reconcile_one(hall, tenant, row, expire_before=expire_before)
        result.credited += outcome == "credited"
        result.canceled += outcome == "canceled"
        result.unavailable += outcome == "unavailable"
    result.refunds = await retry_pending(hall)
    from core.payments.agreements import SIGN_WITHIN, expire_stale

    await expire_stale(at - SIGN_WITHIN)  # automatic-payment agreements sent to sign and never signed
    if result.queried:
        log.info(
            "tenant %s: reconciled %d payment(s): %d credited, %d canceled, %d unreachable",
            tenant_id,
            result.queried,
            result.credited,
            result.canceled,
            result.unavailable,
        )
    return result
