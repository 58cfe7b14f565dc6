"""A gateway's asynchronous notification: verify, then settle; a forgery is logged and changes nothing."""

from __future__ import annotations

import logging

from core.payments import ledger
from core.payments.providers import InvalidNotification, PaymentProvider
from core.payments.settle import settle

log = logging.getLogger("hall.payments")


async def handle_notification(hall, provider: PaymentProvider, form: dict[str, str]) -> tuple[int, str, str]:
    """Handle one notification in the current tenant; returns the provider's answer (status, content type, body)."""
    claimed = str(form.get("out_trade_no", "") or form.get("intent_id", ""))[:64]
    try:
        result = await provider.verify_notification(dict(form))
    except InvalidNotification as exc:
        log.warning("payment notification from %s refused: %s", provider.id, exc)
        await ledger.record(
            "notification",
            claimed,
            provider=provider.id,
            accepted=False,
            reason=f"invalid notification: {exc}",
            data={k: v for k, v in form.items() if k not in ("sign",)},
        )
        return provider.notification_response(False)
    try:
        outcome = await settle(hall, provider.id, result, source="notification")
    except Exception:  # the fulfilment broke: rolled back and in the ledger; "fail" makes the gateway send it again
        return provider.notification_response(False)
    return provider.notification_response(outcome.handled)
