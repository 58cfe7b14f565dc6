"""The sandbox's configuration: its own platform key pair, the merchants it knows, where it keeps trades.

``sandbox.toml`` (written by ``ensure_sandbox`` from the hall's tenants; merchants can be added by hand)::

    private_key_file = "platform-private.pem"   # signs answers and notifications
    public_key_file = "platform-public.pem"     # the hall's 微信支付公钥
    public_key_id = "PUB_KEY_ID_0000000000000000000000000001"
    database = "trades.sqlite3"
    retry_scale = 1.0                           # multiplies WeChat Pay's notification back-off (tests: 0.001)

    [merchants."1900000001"]
    app_id = "wx0000000000000001"
    serial_no = "5157F09EFDC096DE15EBE81A47057A72"  # the merchant certificate's serial (Authorization serial_no)
    public_key_file = "jiangnan-merchant-public.pem"   # verifies the merchant's requests
    apiv3_key = "…32 characters…"                       # encrypts its notifications
    app_secret = "…32 hex characters…"                  # optional: the AppID's AppSecret (WeChat sign-in, JSAPI)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from plugins.wechatpay.crypto import load_private, load_public

# WeChat Pay's notification back-off: 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h (16 attempts, 24h4m)
RETRY_SECONDS = (15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600)


@dataclass(frozen=True)
class Merchant:
    mch_id: str
    app_id: str
    serial_no: str
    public_key: rsa.RSAPublicKey
    apiv3_key: bytes
    app_secret: str = ""


@dataclass
class SandboxConfig:
    private_key: rsa.RSAPrivateKey
    public_key_pem: str
    public_key_id: str
    database: Path
    merchants: dict[str, Merchant] = field(default_factory=dict)
    retry_scale: float = 1.0

    def retry_delays(self) -> list[float]:
        """Seconds to wait after the 1st, 2nd, … failed delivery."""
        return [s * self.retry_scale for s in RETRY_SECONDS]


def load_config(path: Path, *, retry_scale: float | None = None) -> SandboxConfig:
    folder = path.parent
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    merchants = {}
    for mch_id, m in (data.get("merchants") or {}).items():
        pem = m.get("public_key") or (folder / m["public_key_file"]).read_text(encoding="ascii")
        merchants[str(mch_id)] = Merchant(
            str(mch_id),
            str(m["app_id"]),
            str(m["serial_no"]).upper(),
            load_public(pem),
            str(m["apiv3_key"]).encode(),
            str(m.get("app_secret", "")),
        )
    return SandboxConfig(
        private_key=load_private((folder / data["private_key_file"]).read_text(encoding="ascii")),
        public_key_pem=(folder / data["public_key_file"]).read_text(encoding="ascii"),
        public_key_id=str(data["public_key_id"]),
        database=folder / data.get("database", "trades.sqlite3"),
        merchants=merchants,
        retry_scale=float(retry_scale if retry_scale is not None else data.get("retry_scale", 1.0)),
    )


def merchant_of_app(config: SandboxConfig, app_id: str) -> Merchant | None:
    return next((m for m in config.merchants.values() if m.app_id == app_id), None)
