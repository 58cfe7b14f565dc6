"""An operator's refund from the console: the refund itself (``refunds.refund``) and its audit entry.

The console page (``routes_console.py``) checks the amount and the reason and renders; this does and records the
refund (docs/architecture.md, "The request path").
"""

from __future__ import annotations

from core.payments import get_intent, refund
from core.payments.model import Intent
from core.web.audit_helpers import Auditor


async def refund_by_operator(hall, auditor: Auditor, intent: Intent, amount_fen: int, reason: str) -> str:
    """Refund ``amount_fen`` of ``intent`` for ``reason``, asked by the auditor's operator; the outcome
    (``succeeded``, ``pending``, ...). Raises :class:`~core.payments.PaymentError` (nothing refunded, nothing audited)
    when the payment cannot be refunded that much."""
    refund_id, outcome = await refund(hall, intent.id, amount_fen, reason=reason, operator=auditor.actor)
    after = await get_intent(intent.id)
    await auditor.record(
        "payment.refund",
        object_type="payment",
        object_id=intent.id,
        before={"state": intent.state, "refunded_fen": intent.refunded_fen},
        after={
            "state": after.state,
            "refunded_fen": after.refunded_fen,
            "refund_id": refund_id,
            "amount_fen": amount_fen,
            "outcome": outcome,
            "reason": reason,
        },
        summary=f"refund {amount_fen} fen ({outcome}): {reason}"[:500],
    )
    return outcome
