"""What the console shows and does: top-ups found by number, state and day; one top-up with its refunds; refunding.

A refund goes through the core's refund service (``refund_by_operator``): the
gateway gives the money back, the audit log records the operator, amount and
reason, the fulfilment records it on the top-up, and the core tells the legacy
system (``payment.refunded``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.api import N_, Panel, format_fen, parse_yuan
from core.api.payments import (
    CANCELED,
    CREATED,
    FAILED,
    PAID,
    PARTIALLY_REFUNDED,
    PENDING,
    REFUNDED,
    SUCCEEDED,
    PaymentIntent,
    Refund,
    get_intent,
    refund_by_operator,
)
from core.api.web import FieldErrors
from plugins.topup.holder import normalise
from plugins.topup.tables import TopUp

STATES = (CREATED, PENDING, SUCCEEDED, FAILED, CANCELED, PARTIALLY_REFUNDED, REFUNDED)  # the payment's, to search by
MAX_REASON = 500
LATEST = 20
OUTCOMES = {
    "succeeded": N_("The refund was made."),
    "pending": N_("The refund was asked for; the payment service has not confirmed it yet."),
    "failed": N_("The payment service refused the refund; nothing was refunded."),
}


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10]) if text.strip() else None
    except ValueError:
        return None


@dataclass
class Filters:
    """The console list's search, as typed; ``bad`` names the fields that could not be read."""

    number: str = ""
    state: str = ""
    start: str = ""
    end: str = ""
    bad: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, query) -> "Filters":
        found = cls(
            number=normalise(query.get("number") or "") or "",
            state=query.get("state", "") if query.get("state", "") in STATES else "",
            start=(query.get("from") or "").strip()[:10],
            end=(query.get("to") or "").strip()[:10],
        )
        found.bad = [name for name, text in (("from", found.start), ("to", found.end)) if text and _day(text) is None]
        return found

    def query(self, zone):
        """The Piccolo select of matching top-ups, newest first (unexecuted: the page pages it)."""
        query = TopUp.select().order_by(TopUp.id, ascending=False)
        if self.number:
            query = query.where(TopUp.number == self.number)
        if self.state:
            query = query.where(
                TopUp.intent_id.is_in(
                    PaymentIntent.select(PaymentIntent.public_id).where(PaymentIntent.state == self.state)
                )
            )
        start, end = _day(self.start), _day(self.end)
        if start:
            query = query.where(TopUp.created_at >= dt.datetime.combine(start, dt.time(), zone))
        if end:
            query = query.where(TopUp.created_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone))
        return query


async def intents_by_id(ids: list[str]) -> dict[str, dict]:
    if not ids:
        return {}
    rows = await PaymentIntent.select(
        PaymentIntent.public_id, PaymentIntent.state, PaymentIntent.provider_ref, PaymentIntent.refunded_fen
    ).where(PaymentIntent.public_id.is_in(ids))
    return {r["public_id"]: r for r in rows}


async def topup_of(intent_id: str) -> dict | None:
    return await TopUp.select().where(TopUp.intent_id == intent_id[:64]).first()


async def refunds_of(intent_id: str) -> list[dict]:
    return await Refund.select().where(Refund.intent_id == intent_id).order_by(Refund.id)


def refundable_fen(intent) -> int:
    return intent.amount_fen - intent.refunded_fen if intent is not None and intent.state in PAID else 0


async def refund_topup(hall, auditor, intent_id: str, amount_text: str, reason: str) -> str:
    """Refund part or all of a paid top-up (audited); the outcome. FieldErrors (amount, reason) before anything is done."""
    intent = await get_intent(intent_id)
    problems = FieldErrors()
    problems.require(amount=amount_text, reason=reason)
    left = refundable_fen(intent)
    amount = parse_yuan(amount_text) if amount_text else None
    if amount_text and (amount is None or amount <= 0):
        problems.add("amount", N_("Enter an amount in yuan, e.g. 12.30."))
    elif amount is not None and amount > left:
        problems.add("amount", N_("At most ¥%(amount)s can be refunded."), amount=format_fen(left))
    if len(reason) > MAX_REASON:
        problems.add("reason", N_("At most %(n)s characters."), n=MAX_REASON)
    problems.raise_if_any()
    return await refund_by_operator(hall, auditor, intent, amount, reason)


async def customer_section(customer: dict) -> Panel:
    """The console's customer view: the latest top-ups onto the customer's numbers."""
    rows = (
        await TopUp.select()
        .where(TopUp.holder_id == customer["legacy_id"])
        .order_by(TopUp.id, ascending=False)
        .limit(LATEST)
    )
    intents = await intents_by_id([r["intent_id"] for r in rows])
    return Panel(
        "topup/customer_section.html",
        {"topups": rows, "intents": intents},
        title=N_("Top-ups"),
        permission="topup.view",
        order=45,
    )
