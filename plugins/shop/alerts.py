"""Operator alerts: one open row per (kind, subject) until an operator marks it seen; also logged (never with a PIN)."""

from __future__ import annotations

import logging

from plugins.shop.tables import Alert

log = logging.getLogger("hall.shop")


async def raise_alert(kind: str, subject: str, detail: str = "") -> bool:
    """Record an alert unless the same one is still open; True when a new one was written."""
    if await Alert.exists().where((Alert.kind == kind) & (Alert.subject == subject[:100]) & (Alert.seen == False)):  # noqa: E712
        return False
    await Alert.insert(Alert(kind=kind, subject=subject[:100], detail=detail[:400]))
    log.warning("shop alert %s: %s %s", kind, subject, detail)
    return True


async def open_alerts(limit: int = 100) -> list[dict]:
    return await Alert.select().where(Alert.seen == False).order_by(Alert.at, ascending=False).limit(limit)  # noqa: E712


async def mark_seen(alert_id: int) -> None:
    await Alert.update({Alert.seen: True}).where(Alert.id == alert_id)
