"""The payment ledger: every state change and every message from a gateway, accepted or refused, with a reason."""

from __future__ import annotations

import json

from core.db.scoping import TenantScopeError
from core.payments import statements
from core.payments.model import now
from core.payments.tables import PaymentEvent
from core.privacy import scrub
from core.tenancy import current_tenant


def _json_text(data: dict | None) -> str:
    return json.dumps(data or {}, ensure_ascii=False, default=str)


async def record(
    kind: str,
    intent_id: str = "",
    *,
    provider: str = "",
    from_state: str = "",
    to_state: str = "",
    accepted: bool = True,
    reason: str = "",
    data: dict | None = None,
) -> None:
    """Append one ledger row in the current tenant (inside the caller's transaction when there is one).

    Written with a prepared statement (core.payments.statements): it is on every notification's path.
    """
    tenant = current_tenant()
    if tenant is None:
        raise TenantScopeError(
            "PaymentEvent is tenant-owned: record it inside a request or core.tenancy.tenant_scope()"
        )
    await statements.insert_event(
        tenant.id,
        intent_id=(intent_id or "")[:64],
        kind=kind,
        provider=provider[:32],
        from_state=from_state,
        to_state=to_state,
        accepted=accepted,
        reason=scrub(reason)[:2000],
        data_json=_json_text(data),
        created_at=now(),
    )


async def history(intent_id: str) -> list[dict]:
    """The ledger of one intent, oldest first."""
    return await PaymentEvent.select().where(PaymentEvent.intent_id == intent_id).order_by(PaymentEvent.id)
