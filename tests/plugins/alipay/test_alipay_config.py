"""Alipay settings and keys: every problem names the file and the key, in `hall check` before any customer pays."""

from __future__ import annotations

import base64

import pytest
from click.testing import CliRunner

from alipay_support import APP_ID, SELLER_ID, alipay_tenant_settings, key_pairs, write_secrets
from core.cli.base import cli
from core.config import ConfigError
from core.testing import TenantSpec, write_hall
from plugins.alipay import build_provider
from plugins.alipay.settings import ALIPAY_GATEWAY

SANDBOX = "http://127.0.0.1:8020/gateway.do"


def alipay_spec(settings: dict | None = None) -> TenantSpec:
    return TenantSpec(
        "alpha",
        connector={},
        payments={"providers": ["alipay"]},
        plugin_settings={"alipay": settings if settings is not None else alipay_tenant_settings(SANDBOX)["alipay"]},
    )


def issues_of(harness) -> list:
    with pytest.raises(ConfigError) as raised:
        build_provider(harness.hall, harness.tenant("alpha"))
    return raised.value.issues


@pytest.mark.parametrize(
    "key, value, reason",
    [
        ("app_id", "2021", "16 digits"),
        ("seller_id", "1234567890123456", "2088"),
        ("gateway", "ftp://example.com/gateway.do", "http(s) URL"),
        ("sign_type", "RSA", "RSA2"),
    ],
)
def test_bad_settings_name_the_tenant_file_and_key(hall_factory, key, value, reason):
    with pytest.raises(ConfigError) as raised:
        hall_factory([alipay_spec({"app_id": APP_ID, "seller_id": SELLER_ID} | {key: value})])
    [issue] = raised.value.issues
    assert (
        issue.file.endswith("tenants/alpha/tenant.toml")
        and issue.key == f"plugins.alipay.{key}"
        and reason in issue.reason
    )


def test_the_default_gateway_is_alipays_real_one(hall_factory):
    harness = hall_factory([alipay_spec({"app_id": APP_ID, "seller_id": SELLER_ID})])
    assert (
        harness.tenant("alpha").plugin_settings("alipay").gateway
        == ALIPAY_GATEWAY
        == "https://openapi.alipay.com/gateway.do"
    )


def test_missing_ids_and_keys_are_each_named(hall_factory):
    harness = hall_factory([alipay_spec({})])
    found = {(i.file.rsplit("/", 1)[-1], i.key) for i in issues_of(harness)}
    assert found == {
        ("tenant.toml", "plugins.alipay.app_id"),
        ("tenant.toml", "plugins.alipay.seller_id"),
        (".secrets.toml", "alipay.alpha.app_private_key"),
        (".secrets.toml", "alipay.alpha.alipay_public_key"),
    }


def test_a_key_in_alipays_bare_base64_form_is_explained(hall_factory):
    harness = hall_factory([alipay_spec()])
    bare = "".join(key_pairs().sandbox_public.strip().splitlines()[1:-1])
    write_secrets(harness.hall.settings.config_file, "alpha", public=bare)
    [issue] = issues_of(harness)
    assert issue.key == "alipay.alpha.alipay_public_key" and "BEGIN PUBLIC KEY" in issue.reason


def test_a_public_key_where_the_private_one_belongs_is_refused(hall_factory):
    harness = hall_factory([alipay_spec()])
    write_secrets(harness.hall.settings.config_file, "alpha", private=key_pairs().merchant_public)
    [issue] = issues_of(harness)
    assert issue.key == "alipay.alpha.app_private_key" and "not a usable RSA private key" in issue.reason
    assert key_pairs().merchant_public.splitlines()[1] not in str(issue)  # key material is never echoed


def test_a_short_key_is_refused(hall_factory):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    small = (
        rsa.generate_private_key(public_exponent=65537, key_size=1024)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    harness = hall_factory([alipay_spec()])
    write_secrets(harness.hall.settings.config_file, "alpha", private=small)
    assert "at least 2048 bits" in issues_of(harness)[0].reason


def test_keys_from_files_and_from_the_environment(hall_factory, monkeypatch, tmp_path):
    harness = hall_factory([alipay_spec()])
    config = harness.hall.settings.config_file
    (config.parent / "keys").mkdir()
    (config.parent / "keys" / "app.pem").write_text(key_pairs().merchant_private)
    secrets = config.parent / ".secrets.toml"
    secrets.write_text(
        '[alipay.alpha]\napp_private_key_file = "keys/app.pem"\nalipay_public_key_file = "keys/missing.pem"\n'
    )
    [issue] = issues_of(harness)
    assert issue.key == "alipay.alpha.alipay_public_key" and "cannot read key file" in issue.reason
    monkeypatch.setenv("HALL_TENANT_ALPHA_ALIPAY__ALIPAY_PUBLIC_KEY", key_pairs().sandbox_public)
    provider = build_provider(harness.hall, harness.tenant("alpha"))
    assert provider.client._gateway == SANDBOX and provider.client.appid == APP_ID


def test_hall_check_names_the_secrets_file_and_key_then_passes(tmp_path, hall_databases, monkeypatch):
    config = write_hall(tmp_path / "hall", [alipay_spec()], database_url=hall_databases.fresh(tmp_path))
    monkeypatch.setenv("HALL_CONFIG", str(config))
    monkeypatch.setenv("COLUMNS", "400")
    runner = CliRunner()
    write_secrets(
        config,
        "alpha",
        private="-----BEGIN PRIVATE KEY-----\n"
        + base64.b64encode(b"nonsense").decode()
        + "\n-----END PRIVATE KEY-----\n",
    )
    refused = runner.invoke(cli, ["check"])
    assert refused.exit_code == 2
    assert (
        f"{config.parent / '.secrets.toml'}: alipay.alpha.app_private_key: not a usable RSA private key"
        in refused.output
    )
    write_secrets(config, "alpha")
    passed = runner.invoke(cli, ["check"])
    assert passed.exit_code == 0, passed.output
