"""The payment ledger: every state change and every message from a gateway, accepted or refused, with a reason."""

from __future__ import annotations

import json

from core.payments.model import now
from core.payments.tables import PaymentEvent
from core.privacy import scrub


def _jsonable(data: dict | None) -> dict:
    return json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))


async def record(kind: str, intent_id: str = "", *, provider: str = "", from_state: str = "", to_state: str = "",
                 accepted: bool = True, reason: str = "", data: dict | None = None) -> None:
    """Append one ledger row in the current tenant (inside the caller's transaction when there is one)."""
    await PaymentEvent.insert(PaymentEvent(intent_id=(intent_id or "")[:64], kind=kind, provider=provider[:32],
                                           from_state=from_state, to_state=to_state, accepted=accepted,
                                           reason=scrub(reason)[:2000], data=_jsonable(data), created_at=now()))


async def history(intent_id: str) -> list[dict]:
    """The ledger of one intent, oldest first."""
    return await PaymentEvent.select().where(PaymentEvent.intent_id == intent_id).order_by(PaymentEvent.id)
