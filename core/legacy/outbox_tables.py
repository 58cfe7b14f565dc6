"""The outbox to the legacy system: one row per change the legacy system must learn about."""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from core.db.scoping import TenantTable


class OutboxEvent(TenantTable, tablename="core_outbox_event"):
    event_id = Varchar(length=36)  # a UUID: the legacy side's idempotency key
    kind = Varchar(length=64)  # "payment.posted", "order.placed", ...
    payload = JSON(default={})
    status = Varchar(length=12, default="pending")  # pending | delivering | delivered | dead
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    claimed_at = Timestamptz(null=True, default=None)  # when a worker took it; a stale claim is a crashed worker
    last_error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    delivered_at = Timestamptz(null=True, default=None)
    UNIQUE_TOGETHER = (("tenant", "event_id"),)
    INDEX_TOGETHER = (("tenant", "status", "next_attempt_at"),)
