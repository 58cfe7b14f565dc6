"""Subscribing and unsubscribing a service number; unsubscribing also cancels its mails not yet sent."""

from __future__ import annotations

import datetime as dt

from core.api.db import transaction
from plugins.billmail.tables import Send, Subscription


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


async def subscribe(*, number: str, account_id: int, email: str, language: str) -> int:
    """Start (or restart) the mail for ``number`` to ``email``; returns the subscription id (stable across restarts)."""
    now = _now()
    rows = (
        await Subscription.insert(
            Subscription(
                number=number,
                account_id=account_id,
                email=email,
                language=language,
                active=True,
                created_at=now,
                changed_at=now,
            )
        )
        .on_conflict(
            target=(Subscription.tenant, Subscription.number),
            action="DO UPDATE",
            values=[
                Subscription.account_id,
                Subscription.email,
                Subscription.language,
                Subscription.active,
                Subscription.changed_at,
            ],
        )
        .returning(Subscription.id)
    )
    return rows[0]["id"]


async def unsubscribe(subscription_id: int) -> dict | None:
    """Stop the mail; queued and retry-pending sends of this subscription are cancelled. None if there is no such row."""
    async with transaction():
        rows = (
            await Subscription.update({Subscription.active: False, Subscription.changed_at: _now()})
            .where(Subscription.id == subscription_id)
            .returning(Subscription.id, Subscription.number, Subscription.email)
        )
        if not rows:
            return None
        await Send.update({Send.state: "cancelled", Send.next_attempt_at: None, Send.last_error: "unsubscribed"}).where(
            (Send.subscription == subscription_id) & Send.state.is_in(["queued", "failed"])
        )
    return rows[0]


async def of_numbers(numbers: list[str]) -> dict[str, dict]:
    if not numbers:
        return {}
    return {r["number"]: r for r in await Subscription.select().where(Subscription.number.is_in(numbers))}
