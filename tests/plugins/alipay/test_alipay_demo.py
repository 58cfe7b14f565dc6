"""`hall demo` on the repository's demo tenants: keys and sandbox.toml on first run, kept on the next, every provider builds."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

from core.hall import Hall
from core.payments.registry import provider_for
from core.testing.harness import SECRET
from plugins.alipay import build_provider
from plugins.alipay.sandbox.config import load_config

REPO = Path(__file__).resolve().parents[3]


def demo_copy(root: Path) -> Path:
    shutil.copytree(REPO / "tenants", root / "tenants")
    text = (
        (REPO / "hall.toml")
        .read_text(encoding="utf-8")
        .replace('themes_dir = "themes"', f'themes_dir = "{REPO / "themes"}"')
    )
    (root / "hall.toml").write_text(text, encoding="utf-8")
    (root / ".secrets.toml").write_text(f'[security]\nsecret_key = "{SECRET}"\n', encoding="utf-8")
    return root / "hall.toml"


def test_the_demo_tenants_pay_through_the_sandbox_with_generated_keys(tmp_path, monkeypatch):
    monkeypatch.delenv("HALL_SECRETS_FILE", raising=False)
    config = demo_copy(tmp_path)
    hall = Hall.from_config(config, connect_tenants=False)
    lines = []
    assert (
        hall.plugins.hook.demo_services(hall=hall, start=False, echo=lines.append) == []
    )  # hall demo's call: prepared, not started
    alipay = [
        line for line in lines if line.startswith("alipay sandbox:")
    ]  # the demo also prepares WeChat Pay, FreeRADIUS, Dovecot…
    assert len(alipay) == 4 and "sandbox's RSA2 key pair" in alipay[0]
    secrets = tomllib.loads((tmp_path / ".secrets.toml").read_text(encoding="utf-8"))
    assert set(secrets["alipay"]) == {"jiangnan", "haibin", "qianshan"} and secrets["security"]["secret_key"] == SECRET
    assert set(secrets["wechatpay"]) == {"jiangnan", "haibin", "qianshan"}  # WeChat Pay's prepared the same way
    sandbox = load_config(tmp_path / "var" / "alipay-sandbox" / "sandbox.toml")
    hall = Hall.from_config(config, connect_tenants=False)
    for tenant in hall.tenants:
        provider = build_provider(hall, tenant)
        assert provider.client._gateway == "http://127.0.0.1:8020/gateway.do"
        assert sandbox.apps[provider.settings.app_id].seller_id == provider.settings.seller_id
        wechatpay = provider_for(hall, tenant, "wechatpay")  # built from the prepared secrets, as the demo does
        assert wechatpay is not None and wechatpay.settings.gateway == "http://127.0.0.1:8030"
    before = (tmp_path / "var" / "alipay-sandbox" / "jiangnan-app-private.pem").read_text()
    again = []
    hall.plugins.hook.demo_services(hall=hall, start=False, echo=again.append)
    assert [line for line in again if line.startswith("alipay sandbox:")] == [] and (
        tmp_path / "var" / "alipay-sandbox" / "jiangnan-app-private.pem"
    ).read_text() == before
