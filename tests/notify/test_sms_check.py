"""`hall check` and start-up: SMS settings and secrets are checked per tenant, and production refuses the demo channel."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sms_support import ALIYUN_SECRET, aliyun_spec, smpp_spec

from core.cli import cli
from core.config import ConfigError
from core.testing import TenantSpec, write_hall
from core.testing.aliyun_sms import StandInAliyunSms
from core.testing.smsc import StandInSmsc


def issues(hall_factory, specs, deployment=None) -> list:
    with pytest.raises(ConfigError) as raised:
        hall_factory(tenants=specs, deployment=deployment)
    return [(i.file, i.key, i.reason) for i in raised.value.issues]


def test_a_production_tenant_with_only_the_demo_channel_is_refused(hall_factory, tmp_path):
    [(file, key, reason)] = issues(
        hall_factory,
        [TenantSpec("alpha"), TenantSpec("beta", environment="development")],
        deployment={"hall": {"environment": "production"}},
    )
    assert file.endswith("tenants/alpha/tenant.toml") and key == "sms.provider"
    assert "in production" in reason and "demo outbox" in reason
    [(file, key, _)] = issues(hall_factory, [TenantSpec("alpha", environment="production")])
    assert key == "sms.provider"


def test_smpp_settings_and_password_are_named_by_file_and_key(hall_factory, monkeypatch):
    found = issues(hall_factory, [TenantSpec("alpha", sms={"provider": "smpp", "smpp": {"port": 2775}})])
    keys = {key: (file, reason) for file, key, reason in found}
    assert {"sms.smpp.host", "sms.smpp.system_id", "sms.smpp.source_addr", "sms.alpha.smpp_password"} == set(keys)
    assert keys["sms.smpp.host"][0].endswith("tenant.toml") and "required" in keys["sms.smpp.host"][1]
    assert keys["sms.alpha.smpp_password"][0].endswith(".secrets.toml")
    assert "HALL_TENANT_ALPHA_SMS_SECRET__SMPP_PASSWORD" in keys["sms.alpha.smpp_password"][1]
    [(_, key, reason)] = issues(hall_factory, [TenantSpec("alpha", sms={"provider": "smpp"})])
    assert key == "sms.smpp" and "[sms.smpp]" in reason
    monkeypatch.setenv("HALL_TENANT_ALPHA_SMS_SECRET__SMPP_PASSWORD", "far-too-long")
    [(file, key, reason)] = issues(hall_factory, [smpp_spec(StandInSmsc())])
    assert (file, key) == (
        "environment variable HALL_TENANT_ALPHA_SMS_SECRET__SMPP_PASSWORD",
        "sms.alpha.smpp_password",
    )
    assert "at most 8 characters" in reason


def test_aliyun_needs_its_key_sign_name_and_code_templates(hall_factory):
    api = StandInAliyunSms()
    found = issues(
        hall_factory, [aliyun_spec(api, signature="", aliyun={"access_key_id": "", "templates": {"workorder": "123"}})]
    )
    keys = {key: reason for _, key, reason in found}
    assert set(keys) == {
        "sms.aliyun.access_key_id",
        "sms.signature",
        "sms.aliyun.templates",
        "sms.alpha.aliyun_access_key_secret",
    }
    templates = [r for _, k, r in found if k == "sms.aliyun.templates"]
    assert any("no template code for signup, reset" in r for r in templates) and any(
        "SMS_123456789" in r for r in templates
    )


@pytest.mark.parametrize(
    "sms, key, reason",
    [
        ({"provider": "carrier-pigeon"}, "sms.provider", "no installed plugin provides SMS provider 'carrier-pigeon'"),
        ({"provider": "Bad Name"}, "sms.provider", "lower-case"),
        ({"signature": "【江南电信】"}, "sms.signature", "without brackets"),
        ({"per_destination_per_hour": 0}, "sms.per_destination_per_hour", "greater than or equal to 1"),
        ({"smpp": {"host": "smsc", "colour": "red"}}, "sms.smpp.colour", "unknown key"),
    ],
)
def test_bad_sms_settings_name_the_key(hall_factory, sms, key, reason):
    found = issues(hall_factory, [TenantSpec("alpha", sms=sms)])
    assert any(k == key and reason in r for _, k, r in found), found


def test_hall_check_fails_for_production_on_the_demo_channel_and_passes_with_smpp(
    tmp_path, hall_databases, monkeypatch
):
    config = write_hall(
        tmp_path / "hall",
        [TenantSpec("alpha", connector={"type": ""})],
        database_url=hall_databases.fresh(tmp_path),
        deployment={"hall": {"environment": "production"}},
    )
    monkeypatch.setenv("HALL_CONFIG", str(config))
    monkeypatch.setenv("COLUMNS", "400")
    refused = CliRunner().invoke(cli, ["check"])
    assert refused.exit_code == 2
    assert (
        f"{config.parent / 'tenants' / 'alpha' / 'tenant.toml'}: sms.provider: tenant 'alpha' is in production"
        in refused.output
    )
    config = write_hall(
        tmp_path / "hall",
        [TenantSpec("alpha", connector={"type": ""}, sms=smpp_spec(StandInSmsc()).sms)],
        database_url=hall_databases.fresh(tmp_path),
        deployment={"hall": {"environment": "production"}},
    )
    (config.parent / ".secrets.toml").write_text('[sms.alpha]\nsmpp_password = "pw"\n', encoding="utf-8")
    passed = CliRunner().invoke(cli, ["check"])
    assert passed.exit_code == 0, passed.output


def test_the_aliyun_secret_comes_from_the_secrets_file(hall_factory, tmp_path, monkeypatch):
    api = StandInAliyunSms()
    secrets = tmp_path / "elsewhere.toml"
    secrets.write_text(f'[sms.alpha]\naliyun_access_key_secret = "{ALIYUN_SECRET}"\n', encoding="utf-8")
    monkeypatch.setenv("HALL_SECRETS_FILE", str(secrets))
    h = hall_factory(tenants=[aliyun_spec(api)])
    assert h.hall.sms_channels["alpha"].secret == ALIYUN_SECRET


def test_two_tenants_on_one_smsc_account_are_refused(hall_factory, monkeypatch):
    smsc = StandInSmsc()
    for tid in ("ALPHA", "BETA"):
        monkeypatch.setenv(f"HALL_TENANT_{tid}_SMS_SECRET__SMPP_PASSWORD", "pw")
    beta = smpp_spec(smsc)
    beta.id, beta.hosts = "beta", ["beta.test"]
    [(file, key, reason)] = issues(hall_factory, [smpp_spec(smsc), beta])
    assert (
        file.endswith("tenants/beta/tenant.toml")
        and key == "sms.smpp.system_id"
        and "tenant 'alpha' already uses" in reason
    )
