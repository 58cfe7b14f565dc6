"""Queue a message durably, then deliver it; a failed delivery stays pending and is retried."""

from __future__ import annotations

import datetime as dt
import logging

from core.notify.channels import Channel
from core.notify.tables import Message
from core.privacy import mask_contact

log = logging.getLogger("hall.notify")
MAX_ATTEMPTS = 8


async def queue(*, channel: str, recipient: str, subject: str, body_text: str, body_html: str = "", purpose: str = "") -> int:
    rows = await Message.insert(Message(channel=channel, recipient=recipient, subject=subject, body_text=body_text,
                                        body_html=body_html, purpose=purpose, created_at=dt.datetime.now(dt.timezone.utc)))
    return rows[0]["id"]


async def deliver(message_id: int, channels: dict[str, Channel]) -> bool:
    """Claim the message (so two workers never send it twice), send it, record the outcome."""
    claimed = await Message.update({Message.status: "sending", Message.attempts: Message.attempts + 1,
                                    Message.claimed_at: dt.datetime.now(dt.timezone.utc)}).where(
        (Message.id == message_id) & (Message.status == "pending")
    ).returning(Message.id, Message.channel, Message.recipient, Message.subject, Message.body_text, Message.body_html, Message.attempts)
    if not claimed:
        return False
    msg = claimed[0]
    try:
        await channels[msg["channel"]].send(recipient=msg["recipient"], subject=msg["subject"],
                                            body_text=msg["body_text"], body_html=msg["body_html"])
    except Exception as exc:  # delivery problems are data, not crashes
        status = "failed" if msg["attempts"] >= MAX_ATTEMPTS else "pending"
        await Message.update({Message.status: status, Message.last_error: f"{type(exc).__name__}: {exc}"[:500]}).where(Message.id == message_id)
        log.warning("delivery of message %s to %s failed: %s", message_id, mask_contact(msg["recipient"]), exc)
        return False
    await Message.update({Message.status: "sent", Message.sent_at: dt.datetime.now(dt.timezone.utc), Message.last_error: ""}).where(Message.id == message_id)
    return True


async def deliver_pending(channels: dict[str, Channel], limit: int = 100) -> int:
    """Retry sweep for the current tenant; run by the scheduler.

    Also frees messages stuck in 'sending' by a crashed sender: only claims older
    than any send can take (SMTP timeout x 3), so a send in progress elsewhere is
    never taken over and sent twice.
    """
    stale = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10)
    await Message.update({Message.status: "pending"}).where((Message.status == "sending") & (Message.claimed_at < stale))
    ids = await Message.select(Message.id).where(Message.status == "pending").order_by(Message.id).limit(limit)
    sent = 0
    for row in ids:
        sent += await deliver(row["id"], channels)
    return sent
