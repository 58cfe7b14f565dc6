"""The outbox to the legacy system: changes written with the change, delivered later, exactly once on the legacy side.

DESIGN.md §3.3: a change the legacy system must learn about (a payment
posted, a service order, an account change) is written as an
:class:`OutboxEvent` by :func:`emit` *inside the caller's transaction*, so the
event exists if and only if the change committed. The job
``core.deliver_outbox`` (:func:`deliver_due`, every minute) hands due events to
the tenant connector's ``writeback`` port (:class:`~core.legacy.ports.LegacyWriter`).

- **Claims.** An event is claimed with a conditional ``UPDATE … WHERE status =
  'pending' … RETURNING`` (as ``core/notify/outbox.py`` does), so two workers
  never deliver it at the same time. A claim older than :data:`CLAIM_TIMEOUT`
  (two minutes) belongs to a crashed worker and is freed.
- **Exactly once on the legacy side.** A crash after the legacy write but
  before the event is marked delivered means the event is delivered again;
  the port must ignore an event id it has seen (``write_event`` is idempotent).
- **Retries.** A failed event is retried after ``retry_base_seconds · 2^(n-1)``
  (capped at ``retry_max_seconds``, minus up to 25 % jitter so that events that
  failed together do not retry together). After ``max_attempts`` failures it
  is ``dead``, with the reason; an operator can :func:`replay` it.
- **Unmapped events.** A connector raises :class:`~core.legacy.ports.UnmappedEvent`
  for an event it has nowhere to write (its kind is not mapped). The event
  stays pending without counting an attempt, its last error says why, and it
  is offered again after ``retry_max_seconds``; the other events go on.
- **Outages.** A connector signals "legacy system unreachable" by raising
  ``ConnectionError`` or ``TimeoutError``. That is not the event's fault: the
  attempt is not counted, the run stops (one probe per run while the system is
  down), and everything catches up on the first run after it returns.

The policy comes from the tenant's ``[connector.writeback]`` table
(``max_attempts``, ``retry_base_seconds``, ``retry_max_seconds``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
import uuid
from dataclasses import dataclass
from typing import Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.db import piccolo_conf
from core.db.engine import fetch_scoped
from core.legacy.outbox_tables import OutboxEvent
from core.legacy.ports import LegacyWriter, UnmappedEvent
from core.privacy import scrub
from core.db.page_versions import bump_page_version

log = logging.getLogger("hall.legacy.outbox")

STATUSES = ("pending", "delivering", "delivered", "dead")
WRITE_TIMEOUT = 60.0  # seconds one write_event may take before it counts as an outage
# Twice WRITE_TIMEOUT: a live worker settles its claim within WRITE_TIMEOUT of taking it, so only a dead
# worker (kill -9, a lost machine) leaves an older one. Its event goes out again within about two minutes,
# as soon as any run of core.deliver_outbox looks (the dead worker's job itself is requeued by core.jobs.recovery).
CLAIM_TIMEOUT = dt.timedelta(seconds=2 * WRITE_TIMEOUT)
UNAVAILABLE = (ConnectionError, TimeoutError)


class OutboxPolicy(BaseModel):
    """Delivery policy, from ``[connector.writeback]`` (the other keys there belong to the connector)."""

    model_config = ConfigDict(extra="ignore")
    max_attempts: int = Field(10, ge=1, le=100, description="Failed deliveries of one event before it is dead.")
    retry_base_seconds: int = Field(
        30, ge=1, le=3600, description="Wait after the first failure; doubled after each further one."
    )
    retry_max_seconds: int = Field(3600, ge=1, le=86400, description="Longest wait between two attempts.")

    @classmethod
    def for_tenant(cls, tenant) -> "OutboxPolicy":
        raw = (tenant.connector or {}).get("writeback") or {}
        try:
            return cls.model_validate(raw if isinstance(raw, dict) else {})
        except ValidationError as exc:  # sqlbss validates these at start-up; other connectors' values are checked here
            log.warning(
                "tenant %s: invalid [connector.writeback] delivery policy, using the defaults: %s", tenant.id, exc
            )
            return cls()


@dataclass
class DeliveryResult:
    delivered: int = 0
    failed: int = 0  # will be retried
    dead: int = 0
    unmapped: int = 0  # waiting for the mapping to say where they go (not counted as attempts)
    unavailable: bool = False  # the run stopped because the legacy system could not be reached


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def backoff(attempts: int, policy: OutboxPolicy, rand: Callable[[], float] = random.random) -> dt.timedelta:
    """Wait after the ``attempts``-th failure: base · 2^(attempts-1), capped, minus up to 25 % jitter."""
    exponent = min(max(attempts, 1) - 1, 30)
    seconds = min(policy.retry_max_seconds, policy.retry_base_seconds * 2**exponent)
    return dt.timedelta(seconds=seconds * (0.75 + 0.25 * rand()))


# plain SQL (core.db.engine.fetch_scoped): emit is on every payment's settlement, and the query builder's insert
# costs more CPU than the database takes to run it (docs/benchmarks.md, payment notifications)
_INSERT = (
    f'INSERT INTO "{OutboxEvent._meta.tablename}" ("tenant", "event_id", "kind", "payload", "status", "attempts", '
    '"next_attempt_at", "claimed_at", "last_error", "created_at", "delivered_at") '
    "VALUES ({tenant}, {}, {}, {}, 'pending', 0, {}, NULL, '', {}, NULL)"
)


async def emit(kind: str, payload: dict, *, event_id: str | None = None) -> str:
    """Write an outbox event in the current tenant, inside the caller's ``core.db.transaction()``; returns its id.

    The event commits or rolls back with the change it describes. ``payload``
    must be JSON (money in integer fen); ``event_id`` defaults to a new UUID.
    """
    if not piccolo_conf.DB.transaction_exists():
        raise RuntimeError(
            "outbox.emit() must run inside the transaction that makes the change (async with core.db.transaction())"
        )
    if not kind or len(kind) > 64:
        raise ValueError("an outbox event needs a kind of 1-64 characters, e.g. 'payment.posted'")
    text = json.dumps(payload, ensure_ascii=False)  # refuse what the legacy side could not read
    event_id = event_id or str(uuid.uuid4())
    now = _now()
    await fetch_scoped(_INSERT, event_id, kind, text, now, now)
    await bump_page_version()  # a business change (payment, order, work order): cached customer pages go stale
    return event_id


def _payload(value) -> dict:
    return json.loads(value) if isinstance(value, str) else (value or {})


async def _claim(row_id: int, now: dt.datetime) -> dict | None:
    # claimed_at is the moment of the claim (not the run's start, which a long run leaves far behind), so that
    # CLAIM_TIMEOUT measures how long this claim has been held
    rows = (
        await OutboxEvent.update(
            {
                OutboxEvent.status: "delivering",
                OutboxEvent.attempts: OutboxEvent.attempts + 1,
                OutboxEvent.claimed_at: max(now, _now()),
            }
        )
        .where((OutboxEvent.id == row_id) & (OutboxEvent.status == "pending") & (OutboxEvent.next_attempt_at <= now))
        .returning(OutboxEvent.id, OutboxEvent.event_id, OutboxEvent.kind, OutboxEvent.payload, OutboxEvent.attempts)
    )
    return rows[0] if rows else None


async def _settle(row_id: int, values: dict, statuses=("delivering",)) -> None:
    await OutboxEvent.update(values).where((OutboxEvent.id == row_id) & OutboxEvent.status.is_in(list(statuses)))


def _reason(exc: BaseException) -> str:
    return scrub(f"{type(exc).__name__}: {exc}")[:2000]


async def _deliver_one(
    writer: LegacyWriter,
    event: dict,
    policy: OutboxPolicy,
    now: dt.datetime,
    rand: Callable[[], float],
    result: DeliveryResult,
) -> None:
    try:
        await asyncio.wait_for(
            writer.write_event(event["event_id"], event["kind"], _payload(event["payload"])), WRITE_TIMEOUT
        )
    except UNAVAILABLE as exc:
        # not the event's fault: give the attempt back and stop the run; the next run probes again
        await _settle(
            event["id"],
            {
                OutboxEvent.status: "pending",
                OutboxEvent.attempts: OutboxEvent.attempts - 1,
                OutboxEvent.claimed_at: None,
                OutboxEvent.last_error: _reason(exc),
            },
        )
        result.unavailable = True
        return
    except UnmappedEvent as exc:  # nowhere to write it yet: not a failure, it waits for the mapping
        await _settle(
            event["id"],
            {
                OutboxEvent.status: "pending",
                OutboxEvent.attempts: OutboxEvent.attempts - 1,
                OutboxEvent.claimed_at: None,
                OutboxEvent.last_error: _reason(exc),
                OutboxEvent.next_attempt_at: now + dt.timedelta(seconds=policy.retry_max_seconds),
            },
        )
        result.unmapped += 1
        log.warning("outbox event %s (%s) waits: %s", event["event_id"], event["kind"], exc)
        return
    except Exception as exc:  # the legacy side refused or broke on this event: retry later, or give up
        reason, dead = _reason(exc), event["attempts"] >= policy.max_attempts
        values = {
            OutboxEvent.status: "dead" if dead else "pending",
            OutboxEvent.claimed_at: None,
            OutboxEvent.last_error: reason,
        }
        if not dead:
            values[OutboxEvent.next_attempt_at] = now + backoff(event["attempts"], policy, rand)
        await _settle(event["id"], values)
        if dead:
            result.dead += 1
            log.error(
                "outbox event %s (%s) is dead after %d attempts: %s",
                event["event_id"],
                event["kind"],
                event["attempts"],
                reason,
            )
        else:
            result.failed += 1
            log.warning(
                "outbox event %s (%s) failed (attempt %d): %s",
                event["event_id"],
                event["kind"],
                event["attempts"],
                reason,
            )
        return
    # written: delivered, even if a slow claim was meanwhile freed (the legacy side has it either way)
    await _settle(
        event["id"],
        {
            OutboxEvent.status: "delivered",
            OutboxEvent.delivered_at: _now(),
            OutboxEvent.claimed_at: None,
            OutboxEvent.last_error: "",
        },
        statuses=("delivering", "pending"),
    )
    result.delivered += 1


async def free_stale_claims(policy: OutboxPolicy, now: dt.datetime | None = None) -> int:
    """Events left ``delivering`` by a crashed worker become pending again (the legacy side ignores a repeat).

    An event whose every attempt ended that way (it may be what kills the
    worker) is dead once its attempts are used up, like any other failure.
    """
    stale = (now or _now()) - CLAIM_TIMEOUT
    lost = (OutboxEvent.status == "delivering") & (OutboxEvent.claimed_at < stale)
    await OutboxEvent.update(
        {
            OutboxEvent.status: "dead",
            OutboxEvent.claimed_at: None,
            OutboxEvent.last_error: "delivery interrupted: the worker stopped during the last attempt",
        }
    ).where(lost & (OutboxEvent.attempts >= policy.max_attempts))
    rows = (
        await OutboxEvent.update({OutboxEvent.status: "pending", OutboxEvent.claimed_at: None})
        .where(lost)
        .returning(OutboxEvent.id)
    )
    return len(rows)


async def deliver_due(
    hall, tenant_id: str, limit: int = 100, *, now: dt.datetime | None = None, rand: Callable[[], float] = random.random
) -> DeliveryResult:
    """Job ``core.deliver_outbox``: deliver the current tenant's due events, oldest first. Safe to run concurrently."""
    result = DeliveryResult()
    tenant = hall.tenants.get(tenant_id)
    policy = OutboxPolicy.for_tenant(tenant) if tenant is not None else OutboxPolicy()
    now = now or _now()
    await free_stale_claims(policy, now)
    due = (
        await OutboxEvent.select(OutboxEvent.id)
        .where((OutboxEvent.status == "pending") & (OutboxEvent.next_attempt_at <= now))
        .order_by(OutboxEvent.next_attempt_at, OutboxEvent.id)
        .limit(limit)
    )
    if not due:
        return result
    writer = hall.connector(tenant) if tenant is not None else None
    if not isinstance(writer, LegacyWriter):
        log.warning("tenant %s: %d outbox event(s) wait, but its connector has no writeback port", tenant_id, len(due))
        return result
    for row in due:
        event = await _claim(row["id"], now)
        if event is None:  # another worker took it
            continue
        await _deliver_one(writer, event, policy, now, rand, result)
        if result.unavailable:
            log.warning("tenant %s: legacy system unavailable; outbox delivery paused until the next run", tenant_id)
            break
    return result


async def replay(event_id: str) -> bool:
    """Send a dead event again (an operator fixed the cause): pending, attempts reset, due now. False unless it was dead."""
    rows = (
        await OutboxEvent.update(
            {
                OutboxEvent.status: "pending",
                OutboxEvent.attempts: 0,
                OutboxEvent.claimed_at: None,
                OutboxEvent.next_attempt_at: _now(),
            }
        )
        .where((OutboxEvent.event_id == event_id) & (OutboxEvent.status == "dead"))
        .returning(OutboxEvent.id)
    )
    return bool(rows)
