"""Queue and deliver an SMS the way the hall does, and read what became of it."""

from __future__ import annotations

from core.notify.outbox import deliver, deliver_pending, queue
from core.notify.tables import Message, SmsPart


def send_sms(
    h,
    text: str,
    *,
    to: str = "13800000001",
    purpose: str = "workorder",
    params: dict | None = None,
    tenant: str = "alpha",
) -> int:
    """Queue one SMS and deliver it at once (as one-time codes are); returns the message id."""

    async def go():
        message_id = await queue(
            channel="sms", recipient=to, subject="", body_text=text, purpose=purpose, params=params
        )
        await deliver(message_id, h.hall.channels_for(h.tenant(tenant)))
        return message_id

    return h.in_tenant(tenant, go)


def retry_due(h, tenant: str = "alpha") -> int:
    """The retry sweep, after the back-off has passed (the wait is moved, not slept)."""

    async def go():
        await Message.update({Message.next_attempt_at: None}).where(Message.status == "pending")
        return await deliver_pending(h.hall.channels_for(h.tenant(tenant)))

    return h.in_tenant(tenant, go)


def message(h, message_id: int, tenant: str = "alpha") -> dict:
    return h.in_tenant(tenant, lambda: Message.select().where(Message.id == message_id).first())


def parts(h, message_id: int, tenant: str = "alpha") -> list[dict]:
    return h.in_tenant(tenant, lambda: SmsPart.select().where(SmsPart.message == message_id).order_by(SmsPart.part))


def collect_reports(h, tenant: str = "alpha") -> None:
    """The job ``core.sms_reports`` for one tenant, called directly so a failure fails the test."""
    from core.jobs.builtin import sms_reports

    h.in_tenant(tenant, sms_reports, h.hall, tenant)
