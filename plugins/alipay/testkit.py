"""For tests and benchmarks of the hall with Alipay: keys, a tenant's settings and secrets, notifications signed as Alipay would.

keys = new_keys()
TenantSpec("alpha", payments={"providers": ["alipay"]}, plugin_settings=tenant_settings(gateway))
(config.parent / ".secrets.toml").write_text(secrets_toml("alpha", keys))
form = paid_notification(keys, intent_id, amount_fen)     # POST it to /pay/notify/alipay
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from plugins.alipay.money import fen_to_yuan
from plugins.alipay.signing import content, load_private, new_key_pair, sign_text

APP_ID = "2021000000000001"
SELLER_ID = "2088000000000001"


@dataclass(frozen=True)
class Keys:
    merchant_private: str  # the tenant's app_private_key
    merchant_public: str  # what the gateway (sandbox) verifies requests with
    gateway_private: str  # the gateway's (Alipay's, here the sandbox's) signing key
    gateway_public: str  # the tenant's alipay_public_key


def new_keys() -> Keys:
    return Keys(*new_key_pair(), *new_key_pair())


def tenant_settings(gateway: str, app_id: str = APP_ID, seller_id: str = SELLER_ID) -> dict:
    """``plugin_settings`` for a TenantSpec (the ``[plugins.alipay]`` table)."""
    return {"alipay": {"app_id": app_id, "seller_id": seller_id, "gateway": gateway}}


def secrets_toml(tenant_id: str, keys: Keys) -> str:
    """The tenant's ``[alipay.<id>]`` table for the secrets file."""
    return (
        f"[alipay.{tenant_id}]\napp_private_key = '''\n{keys.merchant_private}'''\n"
        f"alipay_public_key = '''\n{keys.gateway_public}'''\n"
    )


def paid_notification(
    keys: Keys,
    intent_id: str,
    amount_fen: int,
    *,
    app_id: str = APP_ID,
    seller_id: str = SELLER_ID,
    trade_no: str = "",
    status: str = "TRADE_SUCCESS",
) -> dict[str, str]:
    """An asynchronous notification for ``intent_id``, signed with the gateway's key (without sign and sign_type)."""
    amount = fen_to_yuan(amount_fen)
    form = {
        "notify_time": "2026-11-25 10:00:05",
        "notify_type": "trade_status_sync",
        "notify_id": f"n{intent_id}",
        "charset": "utf-8",
        "version": "1.0",
        "app_id": app_id,
        "auth_app_id": app_id,
        "seller_id": seller_id,
        "out_trade_no": intent_id,
        "trade_no": trade_no or f"2026112522001{zlib.crc32(intent_id.encode()):015d}",
        "trade_status": status,
        "total_amount": amount,
        "receipt_amount": amount,
        "buyer_id": "2088102177846880",
        "gmt_create": "2026-11-25 10:00:00",
        "gmt_payment": "2026-11-25 10:00:05",
        "subject": "bench",
    }
    return form | {
        "sign_type": "RSA2",
        "sign": sign_text(load_private(keys.gateway_private), content(form, exclude=("sign", "sign_type"))),
    }
