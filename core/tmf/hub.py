"""TMF events hub: a partner registers a listener (callback URL); bill, payment, ticket and order events are written
for each listener inside the change's transaction (:func:`publish`) and delivered by the job ``core.api_hub`` the way
the legacy outbox delivers (core/legacy/outbox.py): claimed with a conditional UPDATE, retried after the outbox's
back-off (base · 2^(n-1), capped, with jitter), ``dead`` after ``max_attempts`` (the dead-letter list), replayable.

Each POST carries ``X-Hall-Signature: sha256=<hex HMAC of the body>``; the key is derived from the deployment's
secret and the listener (:func:`signing_key`), given to the partner when it registers, and never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import random
import uuid

import httpx

from core.db.engine import fetch_scoped
from core.legacy.outbox import CLAIM_TIMEOUT, OutboxPolicy, backoff
from core.tmf.tables import ApiClient, ApiDelivery, ApiListener

log = logging.getLogger("hall.api.hub")
JOB_NAME = "core.api_hub"
TIMEOUT = 10.0
POLICY = OutboxPolicy(max_attempts=8, retry_base_seconds=30, retry_max_seconds=3600)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def signing_key(secret: str, tenant_id: str, listener_id: int) -> str:
    return hmac.new(secret.encode(), f"hub\0{tenant_id}\0{listener_id}".encode(), hashlib.sha256).hexdigest()


def signature(key: str, body: bytes) -> str:
    return "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def _wants(query: str, kind: str) -> bool:
    """``query`` as TMF writes it (``eventType=A,B``) or a bare list; empty: every event."""
    text = (query or "").split("=", 1)[-1] if "eventType" in (query or "") else (query or "")
    kinds = {k.strip() for k in text.split(",") if k.strip()}
    return not kinds or kind in kinds


_LISTENERS = (
    f'SELECT "id", "query" FROM "{ApiListener._meta.tablename}" WHERE "tenant" = {{tenant}} AND "active" = {{}}'
)


async def publish(kind: str, resource: dict) -> int:
    """One delivery per listener that wants ``kind``, in the caller's transaction (so only changes that commit are told)."""
    listeners = await fetch_scoped(_LISTENERS, True)  # plain SQL: on every settled payment's path
    wanted = [row for row in listeners if _wants(row["query"], kind)]
    if not wanted:
        return 0
    event_id, stamp = str(uuid.uuid4()), _now()
    body = {
        "eventId": event_id,
        "eventTime": stamp.isoformat().replace("+00:00", "Z"),
        "eventType": kind,
        "event": resource,
    }
    await ApiDelivery.insert(
        *[
            ApiDelivery(
                event_id=event_id, listener=row["id"], kind=kind, payload=body, created_at=stamp, next_attempt_at=stamp
            )
            for row in wanted
        ]
    )
    return len(wanted)


async def send(url: str, body: bytes, headers: dict) -> int:
    """POST one event; the listener's status code (tests put a fake here)."""
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        return (await client.post(url, content=body, headers=headers)).status_code


async def _claim(row_id: int, now: dt.datetime) -> dict | None:
    rows = (
        await ApiDelivery.update(
            {
                ApiDelivery.status: "delivering",
                ApiDelivery.attempts: ApiDelivery.attempts + 1,
                ApiDelivery.claimed_at: now,
            }
        )
        .where((ApiDelivery.id == row_id) & (ApiDelivery.status == "pending") & (ApiDelivery.next_attempt_at <= now))
        .returning(ApiDelivery.id, ApiDelivery.listener, ApiDelivery.payload, ApiDelivery.attempts, ApiDelivery.kind)
    )
    return rows[0] if rows else None


async def deliver_due(hall, tenant_id: str, *, now: dt.datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Job ``core.api_hub``: send the current tenant's due events, oldest first. Safe to run concurrently."""
    now = now or _now()
    counts = {"delivered": 0, "failed": 0, "dead": 0}
    await ApiDelivery.update({ApiDelivery.status: "pending", ApiDelivery.claimed_at: None}).where(
        (ApiDelivery.status == "delivering") & (ApiDelivery.claimed_at < now - CLAIM_TIMEOUT)
    )
    due = (
        await ApiDelivery.select(ApiDelivery.id)
        .where((ApiDelivery.status == "pending") & (ApiDelivery.next_attempt_at <= now))
        .order_by(ApiDelivery.next_attempt_at)
        .order_by(ApiDelivery.id)
        .limit(limit)
    )
    for row in due:
        event = await _claim(row["id"], now)
        if event is None:
            continue
        listener = await ApiListener.select().where(ApiListener.id == event["listener"]).first()
        client = (
            await ApiClient.select(ApiClient.active).where(ApiClient.id == listener["client"]).first()
            if listener
            else None
        )
        payload = (
            event["payload"] if isinstance(event["payload"], str) else json.dumps(event["payload"], ensure_ascii=False)
        )
        body = payload.encode()
        error = ""
        if listener is None or not listener["active"] or not client or not client["active"]:
            error = "the listener was removed"
        else:
            key = signing_key(hall.secret, tenant_id, listener["id"])
            headers = {
                "Content-Type": "application/json",
                "X-Hall-Signature": signature(key, body),
                "X-Hall-Event": event["kind"],
            }
            try:
                status = await send(listener["callback"], body, headers)
                error = "" if 200 <= status < 300 else f"the listener answered {status}"
            except (httpx.HTTPError, OSError) as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
        if not error:
            await ApiDelivery.update(
                {
                    ApiDelivery.status: "delivered",
                    ApiDelivery.delivered_at: _now(),
                    ApiDelivery.claimed_at: None,
                    ApiDelivery.last_error: "",
                }
            ).where(ApiDelivery.id == event["id"])
            counts["delivered"] += 1
            continue
        dead = event["attempts"] >= POLICY.max_attempts or error == "the listener was removed"
        values = {
            ApiDelivery.status: "dead" if dead else "pending",
            ApiDelivery.claimed_at: None,
            ApiDelivery.last_error: error[:500],
        }
        if not dead:
            values[ApiDelivery.next_attempt_at] = now + backoff(event["attempts"], POLICY, random.random)
        await ApiDelivery.update(values).where(ApiDelivery.id == event["id"])
        counts["dead" if dead else "failed"] += 1
        log.warning(
            "hub event %s to listener %s: %s%s", event["id"], event["listener"], error, " (dead)" if dead else ""
        )
    return counts


async def replay(listener_id: int) -> int:
    """The listener's dead letters, due again (the partner fixed its end)."""
    rows = (
        await ApiDelivery.update(
            {ApiDelivery.status: "pending", ApiDelivery.attempts: 0, ApiDelivery.next_attempt_at: _now()}
        )
        .where((ApiDelivery.listener == listener_id) & (ApiDelivery.status == "dead"))
        .returning(ApiDelivery.id)
    )
    return len(rows)


async def add_listener(client_pk: int, callback: str, query: str) -> dict:
    rows = await ApiListener.insert(ApiListener(client=client_pk, callback=callback[:500], query=query[:500]))
    return await ApiListener.select().where(ApiListener.id == rows[0]["id"]).first()


async def remove_listener(listener_id: int) -> None:
    """No more events; its pending ones go to the dead letters when their turn comes."""
    await ApiListener.update({ApiListener.active: False}).where(ApiListener.id == listener_id)
