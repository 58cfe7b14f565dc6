"""Delivering one claimed SMS: rate limits, the provider, the accepted parts, retries with back-off, delivery reports.

States of a message: ``pending`` (queued; ``next_attempt_at`` says when a retry may go) →
``sending`` (claimed by one sender) → ``sent`` (the provider accepted every part) →
``delivered`` (every part's receipt says so) or ``failed`` (a refusal, a failed receipt,
attempts used up, or the per-number rate limit).

Idempotent: each part the provider accepts is a ``core_sms_part`` row with the provider's id,
written as soon as the provider takes it (the SMPP channel reports each part from its thread
before sending the next; others when the send returns); a retry passes those parts in
``Outgoing.accepted`` and the channel never sends them again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random

from core.config.sms import SmsSection
from core.db.engine import fetch_scoped
from core.notify import quota
from core.notify.sms.base import (
    Accepted,
    Outgoing,
    PermanentError,
    Report,
    SmsError,
    TransientError,
    mask_number,
    signed,
)
from core.notify.tables import Message, SmsPart

log = logging.getLogger("hall.sms")
MAX_BACKOFF = 3600
RECORD_PART = (
    "INSERT INTO core_sms_part (tenant, message, part, provider_id, status, report, accepted_at) "
    "VALUES ({tenant}, {}, {}, {}, 'accepted', '', {}) ON CONFLICT (tenant, message, part) DO NOTHING"
)
MARK_PART = (
    "UPDATE core_sms_part SET status = {}, report = {}, reported_at = {} "
    "WHERE tenant = {tenant} AND provider_id = {} AND status = 'accepted' RETURNING message"
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def backoff(settings: SmsSection, attempts: int) -> dt.timedelta:
    """retry_seconds, doubled per attempt, ±20 % jitter (so a crowd of retries does not hit a recovering SMSC at once)."""
    seconds = min(MAX_BACKOFF, settings.retry_seconds * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))


async def accepted_parts(message_id: int) -> dict[int, str]:
    rows = await SmsPart.select(SmsPart.part, SmsPart.provider_id).where(SmsPart.message == message_id)
    return {r["part"]: r["provider_id"] for r in rows}


async def record_accepted(message_id: int, parts: list[Accepted]) -> None:
    stamp = now()
    for part in parts:
        await fetch_scoped(RECORD_PART, message_id, part.part, part.provider_id[:80], stamp)


async def _finish(message_id: int, values: dict) -> None:
    await Message.update(values).where(Message.id == message_id)


async def deliver_sms(msg: dict, channel, settings: SmsSection, signature: str) -> bool:
    """Send a message claimed by ``core.notify.outbox.deliver`` (status ``sending``); True when the provider accepted it."""
    message_id = msg["id"]
    if not await quota.take("tenant", settings.per_tenant_per_minute, 60):
        # throughput, not the message's fault: wait for the next minute without using up an attempt
        minute = quota.window_start(now(), 60) + dt.timedelta(seconds=60)
        await _finish(
            message_id,
            {
                Message.status: "pending",
                Message.attempts: Message.attempts - 1,
                Message.next_attempt_at: minute,
                Message.last_error: f"waiting: this hall's limit of {settings.per_tenant_per_minute} SMS a minute",
            },
        )
        return False
    accepted = await accepted_parts(message_id)
    if (
        msg["attempts"] == 1
        and not accepted
        and not await quota.take(f"dest:{msg['recipient']}", settings.per_destination_per_hour, 3600)
    ):
        await _finish(
            message_id,
            {
                Message.status: "failed",
                Message.provider: channel.provider,
                Message.last_error: f"rate limited: more than {settings.per_destination_per_hour} SMS to this number in an hour",
            },
        )
        log.warning("SMS %s to %s not sent: rate limited", message_id, mask_number(msg["recipient"]))
        return False
    params = msg.get("params") or {}
    if isinstance(params, str):  # PostgreSQL hands JSON back as text
        params = json.loads(params or "{}")
    loop = asyncio.get_running_loop()

    def on_accepted(part: Accepted) -> None:  # runs in the channel's thread; the tenant context came with it
        asyncio.run_coroutine_threadsafe(record_accepted(message_id, [part]), loop).result(timeout=60)

    outgoing = Outgoing(
        message_id=message_id,
        recipient=msg["recipient"],
        text=signed(signature, msg["body_text"]),
        purpose=msg.get("purpose") or "",
        params=params,
        signature=signature,
        accepted=accepted,
        on_accepted=on_accepted,
    )
    try:
        outcome = await channel.send(
            recipient=msg["recipient"], subject=msg["subject"], body_text=msg["body_text"], message=outgoing
        )
    except Exception as exc:  # delivery problems are data, not crashes
        error = exc if isinstance(exc, SmsError) else TransientError(f"{type(exc).__name__}: {exc}")
        await record_accepted(message_id, error.accepted)
        final = isinstance(error, PermanentError) or msg["attempts"] >= settings.max_attempts
        values = {
            Message.status: "failed" if final else "pending",
            Message.provider: channel.provider,
            Message.last_error: str(error)[:500],
        }
        if not final:
            values[Message.next_attempt_at] = now() + backoff(settings, msg["attempts"])
        await _finish(message_id, values)
        log.warning(
            "SMS %s to %s: attempt %s failed%s: %s",
            message_id,
            mask_number(msg["recipient"]),
            msg["attempts"],
            "" if final else ", will retry",
            error,
        )
        return False
    await record_accepted(message_id, outcome.accepted)
    await _finish(
        message_id,
        {
            Message.status: "sent",
            Message.sent_at: now(),
            Message.last_error: "",
            Message.provider: channel.provider,
            Message.parts: outcome.parts,
            Message.next_attempt_at: None,
        },
    )
    await apply_reports(outcome.reports)
    await settle(message_id)
    return True


async def apply_reports(reports: list[Report]) -> int:
    """Mark the parts the reports name, then settle their messages; returns how many parts changed."""
    touched: set[int] = set()
    stamp = now()
    for report in reports:
        if not report.final:
            continue
        rows = await fetch_scoped(
            MARK_PART, "delivered" if report.delivered else "failed", report.status[:32], stamp, report.provider_id
        )
        touched.update(r["message"] for r in rows)
    for message_id in sorted(touched):
        await settle(message_id)
    return len(touched)


async def settle(message_id: int) -> None:
    """A sent message is delivered when every part is, failed when any part failed."""
    msg = await Message.select(Message.status, Message.parts).where(Message.id == message_id).first()
    if msg is None or msg["status"] != "sent":
        return
    parts = await SmsPart.select(SmsPart.status, SmsPart.report).where(SmsPart.message == message_id)
    failed = [p["report"] for p in parts if p["status"] == "failed"]
    if failed:
        await Message.update(
            {Message.status: "failed", Message.report: failed[0], Message.last_error: f"not delivered: {failed[0]}"}
        ).where((Message.id == message_id) & (Message.status == "sent"))
    elif msg["parts"] and sum(p["status"] == "delivered" for p in parts) >= msg["parts"]:
        report = next((p["report"] for p in parts), "DELIVRD")
        await Message.update({Message.status: "delivered", Message.delivered_at: now(), Message.report: report}).where(
            (Message.id == message_id) & (Message.status == "sent")
        )


async def poll_reports(channel, limit: int = 500) -> int:
    """Ask the provider about parts still waiting for a receipt (the job ``core.sms_reports``)."""
    poll = getattr(channel, "poll_reports", None)
    if poll is None:
        return 0
    since = now() - dt.timedelta(days=3)
    parts = (
        await SmsPart.select(SmsPart.message, SmsPart.provider_id, SmsPart.accepted_at)
        .where((SmsPart.status == "accepted") & (SmsPart.accepted_at > since))
        .order_by(SmsPart.id)
        .limit(limit)
    )
    if not parts:
        return 0
    recipients = {
        r["id"]: r["recipient"]
        for r in await Message.select(Message.id, Message.recipient).where(
            Message.id.is_in(sorted({p["message"] for p in parts}))
        )
    }
    pending = [{**p, "recipient": recipients.get(p["message"], "")} for p in parts]
    return await apply_reports(await poll(pending))
