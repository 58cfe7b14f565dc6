"""Helpers shared by the outbox tests (test_outbox*.py)."""

from __future__ import annotations

import datetime as dt

from core.db import transaction
from core.legacy.outbox import deliver_due, emit
from core.legacy.outbox_tables import OutboxEvent

NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.timezone.utc)


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
