"""The sandbox's configuration: its own key pair, the apps (merchants) it knows, where it keeps trades.

``sandbox.toml`` (written by ``ensure_sandbox`` from the hall's tenants; edit it to add apps by hand)::

    private_key_file = "sandbox-private.pem"     # signs notifications and responses
    public_key_file = "sandbox-public.pem"       # the hall's "Alipay public key"
    database = "trades.sqlite3"
    retry_scale = 1.0                            # multiplies Alipay's notification back-off (tests: 0.001)

    [apps.2021000000000001]
    seller_id = "2088000000000001"
    public_key_file = "jiangnan-app-public.pem"  # the merchant's public key: verifies its requests
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from plugins.alipay.signing import load_private, load_public

RETRY_MINUTES = (4, 10, 10, 60, 120, 360, 900)  # Alipay's back-off after a notification not answered `success`


@dataclass(frozen=True)
class SandboxApp:
    app_id: str
    seller_id: str
    public_key: rsa.RSAPublicKey


@dataclass
class SandboxConfig:
    private_key: rsa.RSAPrivateKey
    public_key_pem: str
    database: Path
    apps: dict[str, SandboxApp] = field(default_factory=dict)
    retry_scale: float = 1.0

    def retry_delays(self) -> list[float]:
        """Seconds to wait after the 1st, 2nd, … failed delivery."""
        return [m * 60 * self.retry_scale for m in RETRY_MINUTES]


def load_config(path: Path, *, retry_scale: float | None = None) -> SandboxConfig:
    folder = path.parent
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def read(name: str) -> str:
        return (folder / data[name]).read_text(encoding="ascii") if name in data else ""

    apps = {}
    for app_id, app in (data.get("apps") or {}).items():
        pem = app.get("public_key") or (folder / app["public_key_file"]).read_text(encoding="ascii")
        apps[str(app_id)] = SandboxApp(str(app_id), str(app.get("seller_id", "")), load_public(pem))
    return SandboxConfig(
        private_key=load_private(read("private_key_file")),
        public_key_pem=read("public_key_file"),
        database=folder / data.get("database", "trades.sqlite3"),
        apps=apps,
        retry_scale=float(retry_scale if retry_scale is not None else data.get("retry_scale", 1.0)),
    )
