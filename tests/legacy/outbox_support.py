"""Helpers shared by the outbox tests (test_outbox*.py)."""

from __future__ import annotations

import datetime as dt

from core.db import transaction
from core.legacy.outbox import deliver_due, emit
from core.legacy.outbox_tables import OutboxEvent

# The real clock at import: emit() stamps events with the real time, so a fixed date here
# would make "a day later" lie in the past once the calendar passed it (CI broke on 2026-12-05).
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class Crash(BaseException):
    """A worker dying between two statements (not an Exception: nothing may catch it)."""


def emit_one(h, tenant="alpha", kind="payment.posted", payload=None, **kw) -> str:
    async def go():
        async with transaction():
            return await emit(kind, payload or {"number": "13900000001", "amount_fen": 5000}, **kw)

    return h.in_tenant(tenant, go)


def deliver(h, tenant="alpha", **kw):
    kw.setdefault("rand", lambda: 1.0)
    return h.in_tenant(tenant, deliver_due, h.hall, tenant, **kw)


def events(h, tenant="alpha") -> list[dict]:
    return h.in_tenant(tenant, lambda: OutboxEvent.select().order_by(OutboxEvent.id))


def writes(connector, event_id: str) -> int:
    return connector.calls.count(f"write_event:{event_id}")
