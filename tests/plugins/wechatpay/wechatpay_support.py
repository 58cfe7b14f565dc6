"""Shared pieces of the WeChat Pay tests: keys made once, a sandbox on a free port, a tenant's settings and secrets."""

from __future__ import annotations

import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from plugins.wechatpay.crypto import load_private, load_public, new_key_pair
from plugins.wechatpay.keys import WechatPayKeys
from plugins.wechatpay.sandbox.config import load_config
from plugins.wechatpay.sandbox.runner import SandboxThread
from plugins.wechatpay.sandbox.signing import notification

MCH_ID = "1900000001"
APP_ID = "wx0000000000000001"
SERIAL = "5157F09EFDC096DE15EBE81A47057A72"
APIV3 = "0123456789abcdef0123456789abcdef"
KEY_ID = "PUB_KEY_ID_0114232134912410000000000000"
APP_SECRET = "a1b2c3d4e5f60718293a4b5c6d7e8f90"  # the AppID's AppSecret (JSAPI's sign-in)


@dataclass(frozen=True)
class KeyPairs:
    merchant_private: str
    merchant_public: str
    platform_private: str
    platform_public: str


@cache
def key_pairs() -> KeyPairs:
    return KeyPairs(*new_key_pair(), *new_key_pair())


def provider_keys() -> WechatPayKeys:
    k = key_pairs()
    return WechatPayKeys(
        load_private(k.merchant_private), SERIAL, APIV3.encode(), load_public(k.platform_public), KEY_ID
    )


def write_sandbox_config(folder: Path, retry_scale: float = 1.0) -> Path:
    k = key_pairs()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "platform-private.pem").write_text(k.platform_private)
    (folder / "platform-public.pem").write_text(k.platform_public)
    (folder / "merchant.pem").write_text(k.merchant_public)
    (folder / "sandbox.toml").write_text(
        'private_key_file = "platform-private.pem"\npublic_key_file = "platform-public.pem"\n'
        f'public_key_id = "{KEY_ID}"\nretry_scale = {retry_scale!r}\n'
        f'[merchants."{MCH_ID}"]\napp_id = "{APP_ID}"\nserial_no = "{SERIAL}"\npublic_key_file = "merchant.pem"\n'
        f'apiv3_key = "{APIV3}"\napp_secret = "{APP_SECRET}"\n'
    )
    return folder / "sandbox.toml"


def start_sandbox(folder: Path, retry_scale: float = 1.0) -> SandboxThread:
    return SandboxThread(load_config(write_sandbox_config(folder, retry_scale))).start()


def tenant_settings(gateway: str) -> dict:
    return {"wechatpay": {"mch_id": MCH_ID, "app_id": APP_ID, "gateway": gateway, "timeout_seconds": 5}}


def write_secrets(config_file: Path, tenant_id: str, extra: str = "", **override) -> Path:
    k = key_pairs()
    values = {
        "merchant_private_key": k.merchant_private,
        "merchant_serial_no": SERIAL,
        "apiv3_key": APIV3,
        "platform_public_key": k.platform_public,
        "platform_public_key_id": KEY_ID,
    } | override
    path = config_file.parent / ".secrets.toml"
    body = f"[wechatpay.{tenant_id}]\n" + "".join(f"{key} = '''{v}'''\n" for key, v in values.items() if v is not None)
    path.write_text(body + extra, encoding="utf-8")
    return path


def paid_notification(intent_id: str, amount_fen: int, *, mch_id=MCH_ID, app_id=APP_ID, key=None, apiv3=None,
                      timestamp=None, state="SUCCESS") -> tuple[bytes, dict]:  # fmt: skip
    """(body, headers) of a TRANSACTION.SUCCESS notification as WeChat Pay would send it; override to forge one."""
    plain = {
        "appid": app_id,
        "mchid": mch_id,
        "out_trade_no": intent_id,
        "transaction_id": "4200000000" + intent_id[-18:],
        "trade_type": "NATIVE",
        "trade_state": state,
        "trade_state_desc": "支付成功",
        "bank_type": "OTHERS",
        "success_time": "2024-05-01T10:00:00+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {"total": amount_fen, "payer_total": amount_fen, "currency": "CNY", "payer_currency": "CNY"},
    }
    private = key or load_private(key_pairs().platform_private)
    return notification(private, KEY_ID, (apiv3 or APIV3).encode(), "TRANSACTION.SUCCESS", plain, timestamp=timestamp)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def fetch(url: str, data: dict | None = None) -> tuple[int, dict, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with OPENER.open(urllib.request.Request(url, data=body), timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read().decode()


def customer_decides(sandbox: SandboxThread, pay_url: str, action: str = "pay") -> tuple[int, str]:
    """Open the sandbox's pay page (the scanned code or h5_url), press confirm or cancel: (status, Location)."""
    import re

    status, _, page = fetch(pay_url)
    assert status == 200, page
    fields = dict(re.findall(r'name="(token|back)" value="([^"]*)"', page))
    import html

    status, headers, _ = fetch(
        sandbox.url + "/sandbox/pay", {k: html.unescape(v) for k, v in fields.items()} | {"action": action}
    )
    return status, headers.get("location", "")
