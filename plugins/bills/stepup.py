"""Step-up before call records: a fresh one-time code proves the person at the screen still holds the phone or mailbox.

Verifications are rows of ``bills_step_up`` (session id, time): every worker sees
them, and logging out (a new session) asks again.
"""

from __future__ import annotations

import datetime as dt

from plugins.bills.tables import StepUp

PURPOSE = "bills.step_up"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def fresh(session_id: int, minutes: int) -> bool:
    since = _now() - dt.timedelta(minutes=minutes)
    return await StepUp.exists().where((StepUp.session_id == session_id) & (StepUp.verified_at > since))


async def remember(session_id: int, account: int) -> None:
    await StepUp.insert(StepUp(session_id=session_id, account=account, verified_at=_now()))


async def prune(hall, tenant_id: str, **_) -> int:
    """Job (run in the tenant's scope): forget verifications older than a day (step_up_minutes is at most 720); idempotent."""
    rows = await StepUp.delete().where(StepUp.verified_at < _now() - dt.timedelta(days=1)).returning(StepUp.id)
    return len(rows)
