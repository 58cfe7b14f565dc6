"""A WeChat Pay v3 notification: signature and timestamp first, then the AEAD_AES_256_GCM resource, then the parties.

Nothing is read from the body before the platform's signature over
``timestamp\\nnonce\\nbody\\n`` verifies; nothing from the resource before it
decrypts (and authenticates) with the tenant's APIv3 key; the merchant id and
the AppID inside must be the tenant's.
"""

from __future__ import annotations

import json

from core.api.payments import GatewayResult, InvalidNotification, RefundNotice
from plugins.wechatpay.client import check_signed
from plugins.wechatpay.crypto import decrypt
from plugins.wechatpay.keys import WechatPayKeys
from plugins.wechatpay.settings import WechatPaySettings
from plugins.wechatpay.trades import refund_notice, trade_result

EVENTS = {"TRANSACTION.SUCCESS", "REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"}


def open_notification(
    settings: WechatPaySettings, keys: WechatPayKeys, body: bytes, headers: dict[str, str], now: float
) -> GatewayResult | RefundNotice:
    problem = check_signed(keys, headers, body, now=now, max_age=settings.notification_max_age_minutes * 60)
    if problem:
        raise InvalidNotification(problem)
    try:
        envelope = json.loads(body)
        event, resource = envelope["event_type"], envelope["resource"]
        if envelope.get("resource_type") != "encrypt-resource" or resource.get("algorithm") != "AEAD_AES_256_GCM":
            raise InvalidNotification("not an AEAD_AES_256_GCM encrypted resource")
        plain = decrypt(keys.apiv3_key, resource["nonce"], resource["ciphertext"], resource.get("associated_data", ""))
        data = json.loads(plain)
    except InvalidNotification:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidNotification(f"malformed: {exc}") from None
    if event not in EVENTS or not isinstance(data, dict):
        raise InvalidNotification(f"event_type {str(event)[:40]!r} is not a payment's or a refund's")
    if data.get("mchid") != settings.mch_id:
        raise InvalidNotification(f"mchid {str(data.get('mchid'))[:20]!r} is not this tenant's")
    try:
        if event.startswith("REFUND."):
            return refund_notice(data)
        if data.get("appid") != settings.app_id:
            raise InvalidNotification(f"appid {str(data.get('appid'))[:20]!r} is not this tenant's")
        return trade_result(data)
    except ValueError as exc:
        raise InvalidNotification(str(exc)) from None
