"""Queue a message durably, then deliver it; a failed delivery stays pending and is retried.

SMS go on to core/notify/sms/delivery.py (rate limits, accepted parts, back-off, receipts).
"""

from __future__ import annotations

import datetime as dt
import logging

from core.notify.channels import Channel
from core.notify.tables import Message
from core.privacy import mask_contact

log = logging.getLogger("hall.notify")
MAX_ATTEMPTS = 8
CLAIMED = (
    Message.id,
    Message.channel,
    Message.recipient,
    Message.subject,
    Message.body_text,
    Message.body_html,
    Message.attempts,
    Message.purpose,
    Message.params,
)


async def queue(
    *,
    channel: str,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    purpose: str = "",
    params: dict | None = None,
) -> int:
    """``params``: the values the text was made from (code, minutes, …); cloud SMS templates are filled with them."""
    rows = await Message.insert(
        Message(
            channel=channel,
            recipient=recipient,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            purpose=purpose,
            params=params or {},
            created_at=dt.datetime.now(dt.timezone.utc),
        )
    )
    return rows[0]["id"]


def _due(now: dt.datetime):
    return (Message.status == "pending") & (Message.next_attempt_at.is_null() | (Message.next_attempt_at <= now))


async def deliver(message_id: int, channels: dict[str, Channel]) -> bool:
    """Claim the message (so two workers never send it twice), send it, record the outcome."""
    now = dt.datetime.now(dt.timezone.utc)
    claimed = (
        await Message.update(
            {Message.status: "sending", Message.attempts: Message.attempts + 1, Message.claimed_at: now}
        )
        .where((Message.id == message_id) & _due(now))
        .returning(*CLAIMED)
    )
    if not claimed:
        return False
    msg = claimed[0]
    channel = channels[msg["channel"]]
    if msg["channel"] == "sms":
        from core.config.sms import SmsSection
        from core.notify.sms.delivery import deliver_sms
        from core.tenancy import current_tenant

        tenant = current_tenant()
        settings = getattr(tenant, "sms", None) or SmsSection()
        return await deliver_sms(msg, channel, settings, sms_signature(tenant, settings))
    try:
        await channel.send(
            recipient=msg["recipient"], subject=msg["subject"], body_text=msg["body_text"], body_html=msg["body_html"]
        )
    except Exception as exc:  # delivery problems are data, not crashes
        status = "failed" if msg["attempts"] >= MAX_ATTEMPTS else "pending"
        await Message.update({Message.status: status, Message.last_error: f"{type(exc).__name__}: {exc}"[:500]}).where(
            Message.id == message_id
        )
        log.warning("delivery of message %s to %s failed: %s", message_id, mask_contact(msg["recipient"]), exc)
        return False
    await Message.update(
        {Message.status: "sent", Message.sent_at: dt.datetime.now(dt.timezone.utc), Message.last_error: ""}
    ).where(Message.id == message_id)
    return True


def sms_signature(tenant, settings) -> str:
    """The 【signature】 of the tenant's SMS: [sms] signature, else the tenant's name without 网上营业厅."""
    if settings.signature:
        return settings.signature
    name = getattr(tenant, "name", "") or ""
    return name.removesuffix("网上营业厅").removesuffix("营业厅")[:12]


async def deliver_pending(channels: dict[str, Channel], limit: int = 100) -> int:
    """Retry sweep for the current tenant; run by the scheduler.

    Also frees messages stuck in 'sending' by a crashed sender: only claims older
    than any send can take (SMTP timeout x 3), so a send in progress elsewhere is
    never taken over and sent twice. (An SMS part the SMSC accepted before the
    crash was recorded as it was accepted, and is not sent again.)
    """
    now = dt.datetime.now(dt.timezone.utc)
    stale = now - dt.timedelta(minutes=10)
    await Message.update({Message.status: "pending"}).where(
        (Message.status == "sending") & (Message.claimed_at < stale)
    )
    ids = await Message.select(Message.id).where(_due(now)).order_by(Message.id).limit(limit)
    sent = 0
    for row in ids:
        sent += await deliver(row["id"], channels)
    return sent
