"""A sandbox's own secrets section whose key file went with var/ is found and dropped; a deployer's keys never are."""

from __future__ import annotations

import tomllib

from core.api import drop_secrets_section, sandbox_keys_lost

SECRETS = """# Local secrets: never commit this file.
[security]
secret_key = "k"

[alipay.jiangnan]  # the demo's keys for the local Alipay sandbox
app_private_key_file = "var/alipay-sandbox/jiangnan-app-private.pem"
alipay_public_key_file = "var/alipay-sandbox/sandbox-public.pem"

[alipay.haibin]
app_private_key_file = "/etc/hall/haibin-app-private.pem"

[wechatpay.jiangnan]
merchant_private_key_file = "var/wechatpay-sandbox/jiangnan-merchant-private.pem"
"""


def test_a_lost_sandbox_key_is_found_and_only_its_section_dropped(tmp_path, monkeypatch):
    monkeypatch.delenv("HALL_SECRETS_FILE", raising=False)
    config = tmp_path / "hall.toml"
    config.write_text("", encoding="utf-8")
    (tmp_path / ".secrets.toml").write_text(SECRETS, encoding="utf-8")
    folder = tmp_path / "var" / "alipay-sandbox"
    assert sandbox_keys_lost(config, "alipay", "jiangnan", folder, "app_private_key_file")
    assert not sandbox_keys_lost(config, "alipay", "haibin", folder, "app_private_key_file")  # the deployer's
    assert not sandbox_keys_lost(config, "alipay", "qianshan", folder, "app_private_key_file")  # no section

    folder.mkdir(parents=True)
    (folder / "jiangnan-app-private.pem").write_text("key", encoding="ascii")
    assert not sandbox_keys_lost(config, "alipay", "jiangnan", folder, "app_private_key_file")  # still there
    (folder / "jiangnan-app-private.pem").unlink()

    drop_secrets_section(config, "alipay", "jiangnan")
    left = tomllib.loads((tmp_path / ".secrets.toml").read_text(encoding="utf-8"))
    assert left["security"] == {"secret_key": "k"}
    assert set(left["alipay"]) == {"haibin"} and set(left["wechatpay"]) == {"jiangnan"}
    assert (tmp_path / ".secrets.toml").stat().st_mode & 0o777 == 0o600
