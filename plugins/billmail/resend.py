"""An operator's resend of one mail (sent, failed or uncertain): claimed like any send, so it cannot race the batch sender; audited."""

from __future__ import annotations

import asyncio

from core.api.web import Auditor
from plugins.billmail.sender import BatchSender, new_owner, record, utc_now
from plugins.billmail.smtp_pool import SmtpPool
from plugins.billmail.tables import Batch, Send, Subscription

RESENDABLE = ("sent", "failed", "uncertain")


async def resend(hall, tenant, send_id: int) -> tuple[str, str]:
    """(outcome, error): outcome is the row's new state, or "refused" when it may not be resent now."""
    row = await Send.select(Send.batch, Send.subscription, Send.state).where(Send.id == send_id).first()
    if row is None:
        raise LookupError(send_id)
    sub = await Subscription.select(Subscription.active).where(Subscription.id == row["subscription"]).first()
    if row["state"] not in RESENDABLE or not (sub and sub["active"]):
        return "refused", ""
    owner, now = new_owner("resend"), utc_now()
    claimed = (
        await Send.update(
            {Send.state: "sending", Send.claimed_by: owner, Send.claimed_at: now, Send.attempts: Send.attempts + 1}
        )
        .where((Send.id == send_id) & Send.state.is_in(list(RESENDABLE)))
        .returning(Send.id, Send.subscription, Send.number, Send.email, Send.language, Send.attempts)
    )
    if not claimed:
        return "refused", ""
    batch = await Batch.select(Batch.month).where(Batch.id == row["batch"]).first()
    sender = BatchSender(hall, tenant, row["batch"], owner=owner)
    mails, missing = await sender._build(batch["month"], claimed)
    outcomes = missing
    if mails:
        pool = SmtpPool(hall.deployment.mail, 1)
        try:
            outcomes = await asyncio.get_running_loop().run_in_executor(pool.executor, pool.send_many, mails)
        finally:
            pool.close()
    await record(outcomes, {send_id: claimed[0]["attempts"]}, owner, sender.settings, utc_now())
    _id, state, error = outcomes[0]
    return state, error


async def resend_by_operator(hall, tenant, auditor: Auditor, send_id: int) -> tuple[dict, str] | None:
    """The console's resend: (the row as it was, the outcome), audited unless refused; None when there is no such mail."""
    snapshot = (Send.batch, Send.number, Send.state, Send.attempts, Send.last_error)
    before = await Send.select(*snapshot).where(Send.id == send_id).first()
    if before is None:
        return None
    outcome, _error = await resend(hall, tenant, send_id)
    if outcome != "refused":
        after = await Send.select(*snapshot).where(Send.id == send_id).first()
        await auditor.record(
            "billmail.resend",
            object_type="billmail_send",
            object_id=send_id,
            before=before,
            after=after,
            summary=f"{before['number']} {outcome}",
        )
    return before, outcome
