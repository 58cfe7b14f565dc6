"""A gateway's asynchronous notification: verify, then settle (a "paid" in a group commit, core.payments.group_commit); a forgery is logged and changes nothing."""

from __future__ import annotations

import logging

from core.payments import ledger
from core.payments.providers import InvalidNotification, PaymentProvider, RefundNotice
from core.payments.group_commit import settle_notification

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
        outcome = await settle_notification(hall, provider.id, result)
    except Exception:  # the fulfilment broke: rolled back and in the ledger; "fail" makes the gateway send it again
        return provider.notification_response(False)
    return provider.notification_response(outcome.handled)


SIGNATURE_HEADERS = ("wechatpay-timestamp", "wechatpay-nonce", "wechatpay-serial", "wechatpay-signature-type")


async def handle_request(hall, provider, body: bytes, headers: dict[str, str]) -> tuple[int, str, str]:
    """A notification posted as a signed body (JSON, signature in headers): ``provider.verify_request``, then settle.

    The body is decrypted and checked by the provider before anything is read from it; a
    refusal is in the ledger with the headers named in SIGNATURE_HEADERS and the body as received.
    """
    try:
        result = await provider.verify_request(bytes(body), dict(headers))
    except InvalidNotification as exc:
        log.warning("payment notification from %s refused: %s", provider.id, exc)
        await ledger.record(
            "notification",
            "",
            provider=provider.id,
            accepted=False,
            reason=f"invalid notification: {exc}",
            data={
                "headers": {k: headers[k] for k in SIGNATURE_HEADERS if k in headers},
                "body": body[:4000].decode("utf-8", "replace"),
            },
        )
        return provider.notification_response(False)
    if isinstance(result, RefundNotice):
        return await _refund_notice(hall, provider, result)
    try:
        outcome = await settle_notification(hall, provider.id, result)
    except Exception:
        return provider.notification_response(False)
    return provider.notification_response(outcome.handled)


async def _refund_notice(hall, provider, notice: RefundNotice) -> tuple[int, str, str]:
    """Recorded, then the refund is asked about again by its id: the gateway's answer records it (never twice)."""
    from core.payments.refunds import send_pending_of

    await ledger.record(
        "refund",
        notice.intent_id,
        provider=provider.id,
        reason=f"refund notification {notice.refund_id}: {notice.status}",
        data=notice.raw,
    )
    if notice.status != "pending":
        await send_pending_of(hall, notice.intent_id)
    return provider.notification_response(True)
