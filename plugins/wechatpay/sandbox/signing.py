"""The platform's side of the protocol: signed answers and signed, encrypted notifications (also used by tests)."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric import rsa

from plugins.wechatpay.crypto import encrypt, message, nonce, sign

BEIJING = ZoneInfo("Asia/Shanghai")
SUMMARY = {"TRANSACTION.SUCCESS": "支付成功", "REFUND.SUCCESS": "退款成功"}


def signed_headers(private_key: rsa.RSAPrivateKey, key_id: str, body: str, timestamp: int | None = None) -> dict:
    """Wechatpay-* headers over ``timestamp\\nnonce\\nbody\\n``."""
    stamp, once = str(int(time.time()) if timestamp is None else timestamp), nonce()
    return {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": once,
        "Wechatpay-Signature": sign(private_key, message(stamp, once, body)),
        "Wechatpay-Serial": key_id,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        "Request-ID": uuid.uuid4().hex,
    }


def notification(
    private_key: rsa.RSAPrivateKey,
    key_id: str,
    apiv3_key: bytes,
    event_type: str,
    plain: dict,
    *,
    timestamp: int | None = None,
) -> tuple[bytes, dict]:
    """(JSON body, headers) of one delivery: the resource freshly encrypted, the body freshly signed."""
    associated = "refund" if event_type.startswith("REFUND.") else "transaction"
    envelope = {
        "id": str(uuid.uuid4()),
        "create_time": datetime.now(BEIJING).isoformat(timespec="seconds"),
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": SUMMARY.get(event_type, event_type),
        "resource": encrypt(apiv3_key, json.dumps(plain, ensure_ascii=False).encode("utf-8"), associated)
        | {"original_type": associated},
    }
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
    return body.encode("utf-8"), signed_headers(private_key, key_id, body, timestamp) | {
        "Content-Type": "application/json"
    }


def transaction(trade: dict) -> dict:
    """A trade as WeChat Pay describes it (query answers and TRANSACTION.SUCCESS)."""
    paid = trade["state"] in ("SUCCESS", "REFUND")
    out = {
        "appid": trade["appid"],
        "mchid": trade["mchid"],
        "out_trade_no": trade["out_trade_no"],
        "trade_type": trade["trade_type"],
        "trade_state": trade["state"],
        "trade_state_desc": {"SUCCESS": "支付成功", "NOTPAY": "未支付", "CLOSED": "已关闭", "REFUND": "转入退款"}.get(
            trade["state"], trade["state"]
        ),
        "attach": "",
        "amount": {"total": trade["total_fen"], "currency": "CNY"},
    }
    if paid:
        out |= {
            "transaction_id": trade["transaction_id"],
            "bank_type": "OTHERS",
            "success_time": trade["success_time"],
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},  # the sandbox's one demo payer
        }
        out["amount"] |= {"payer_total": trade["total_fen"], "payer_currency": "CNY"}
    return out


def refund_event(trade: dict, refund: dict) -> dict:
    return {
        "mchid": trade["mchid"],
        "out_trade_no": trade["out_trade_no"],
        "transaction_id": trade["transaction_id"],
        "out_refund_no": refund["out_refund_no"],
        "refund_id": refund["refund_id"],
        "refund_status": refund["status"],
        "success_time": refund["created_at"],
        "user_received_account": "支付用户零钱",
        "amount": {
            "total": trade["total_fen"],
            "refund": refund["amount_fen"],
            "payer_total": trade["total_fen"],
            "payer_refund": refund["amount_fen"],
        },
    }
