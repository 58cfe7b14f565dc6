"""Bad configuration stops start-up and `hall check` with the file, the key and the reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import ConfigError
from core.hall import Hall
from core.testing import TenantSpec, write_hall

REPO = Path(__file__).resolve().parents[2]


def _issues(config: Path) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        Hall.from_config(config, connect_tenants=False)
    return [str(i) for i in exc.value.issues]


def _hall(tmp_path, tenants=None, **deployment) -> Path:
    return write_hall(
        tmp_path,
        tenants or [TenantSpec("alpha", connector={})],
        database_url=f"sqlite:///{tmp_path}/h.sqlite3",
        deployment=deployment,
    )


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_valid_config_loads(tmp_path):
    hall = Hall.from_config(_hall(tmp_path), connect_tenants=False)
    assert [t.id for t in hall.tenants] == ["alpha"]


def test_unknown_plugin(tmp_path):
    config = _hall(tmp_path, [TenantSpec("alpha", plugins=["notices", "nosuch"], connector={})])
    [issue] = _issues(config)
    assert "tenants/alpha/tenant.toml: tenant.plugins[1]: unknown plugin 'nosuch'" in issue


def test_missing_theme(tmp_path):
    config = _hall(tmp_path, [TenantSpec("alpha", theme="neon", connector={})])
    assert any("tenant.toml: tenant.theme: theme 'neon' does not exist" in i for i in _issues(config))


def test_bad_database_url(tmp_path):
    config = _hall(tmp_path, database={"url": "mysql://x/y"})
    [issue] = _issues(config)
    assert issue.startswith(str(config)) and "database.url" in issue and "unsupported database scheme 'mysql'" in issue


def test_host_claimed_by_two_tenants(tmp_path):
    config = _hall(
        tmp_path,
        [
            TenantSpec("alpha", hosts=["hall.example"], connector={}),
            TenantSpec("beta", hosts=["hall.example"], connector={}),
        ],
    )
    assert any(
        "beta/tenant.toml: tenant.hosts: host 'hall.example' is already claimed by tenant 'alpha'" in i
        for i in _issues(config)
    )


def test_wrong_type(tmp_path):
    config = _hall(tmp_path)
    _edit(config, "port = ", 'port = "eighty"\nold_port = ')
    issues = _issues(config)
    assert any("mail.port" in i and "integer" in i and "'eighty'" in i for i in issues), issues
    assert any("mail.old_port: unknown key" in i for i in issues), issues


def test_missing_required_value(tmp_path):
    config = _hall(tmp_path)
    _edit(tmp_path / "tenants" / "alpha" / "tenant.toml", 'name = "alpha 测试营业厅"\n', "")
    assert any("alpha/tenant.toml: tenant.name: required value is missing" in i for i in _issues(config))


def test_missing_secret_names_where_to_put_it(tmp_path):
    config = _hall(tmp_path)
    _edit(config, 'secret_key = "test-secret-not-for-production-0123456789"', "")
    [issue] = _issues(config)
    assert "security.secret_key" in issue and "HALL_SECURITY__SECRET_KEY" in issue


def test_plugin_settings_are_validated_per_tenant(tmp_path):
    config = _hall(
        tmp_path,
        [TenantSpec("alpha", plugins=["notices"], connector={}, plugin_settings={"notices": {"max_on_home": 99}})],
    )
    [issue] = _issues(config)
    assert "alpha/tenant.toml: plugins.notices.max_on_home" in issue and "less than or equal to 20" in issue


def test_plugin_settings_tenant_overrides_deployment(tmp_path):
    config = _hall(
        tmp_path,
        [
            TenantSpec("alpha", connector={}, plugin_settings={"notices": {"max_on_home": 7}}),
            TenantSpec("beta", connector={}),
        ],
        plugins={"notices": {"max_on_home": 2}},
    )
    hall = Hall.from_config(config, connect_tenants=False)
    assert hall.tenants.get("alpha").plugin_settings("notices").max_on_home == 7
    assert hall.tenants.get("beta").plugin_settings("notices").max_on_home == 2


def test_environment_overrides_the_file(tmp_path, monkeypatch):
    config = _hall(tmp_path, hall={"plugins": ["notices"]})
    monkeypatch.setenv("HALL_SERVER__PORT", "9123")
    monkeypatch.setenv("HALL_TENANT_ALPHA_BRAND__HOTLINE", "96000")
    hall = Hall.from_config(config, connect_tenants=False)
    assert hall.deployment.server.port == 9123
    assert hall.tenants.get("alpha").brand.hotline == "96000"
    assert Hall.from_config(config, connect_tenants=False).deployment.hall.plugins == ["notices"]
    monkeypatch.setenv("HALL_HALL__PLUGINS", "[]")  # a list replaces the file's list, it is not appended to
    monkeypatch.setenv("HALL_TENANT_ALPHA_TENANT__HOSTS", '["other.example"]')
    hall = Hall.from_config(config, connect_tenants=False)
    assert hall.deployment.hall.plugins == [] and hall.tenants.get("alpha").hosts == ("other.example",)
    monkeypatch.setenv("HALL_SERVER__PORT", "nope")
    assert any("environment variable HALL_SERVER__PORT: server.port" in i for i in _issues(config))


def test_secrets_file_is_read_and_never_printed(tmp_path):
    config = _hall(tmp_path)
    _edit(config, 'secret_key = "test-secret-not-for-production-0123456789"', "")
    (tmp_path / ".secrets.toml").write_text(
        '[security]\nsecret_key = "s3cr3t-from-file-abcdef"\n[mail]\npassword = "smtp-pw-xyz"\n', encoding="utf-8"
    )
    hall = Hall.from_config(config, connect_tenants=False)
    assert hall.secret == "s3cr3t-from-file-abcdef"
    assert "s3cr3t" not in repr(hall.deployment) and "smtp-pw-xyz" not in repr(hall.deployment)


def _hall_cli(config: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALL_")}
    return subprocess.run(
        [sys.executable, "-m", "core.cli", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )


def test_hall_check_reports_file_key_reason_and_exits_2(tmp_path):
    config = _hall(tmp_path, [TenantSpec("alpha", plugins=["nosuch"], connector={})])
    result = _hall_cli(config, "check")
    assert result.returncode == 2
    assert "tenant.plugins[0]: unknown plugin 'nosuch'" in result.stderr
    assert "test-secret-not-for-production" not in result.stdout + result.stderr


def test_hall_check_wants_a_migrated_database_then_passes(tmp_path):
    config = _hall(tmp_path)
    before = _hall_cli(config, "check")
    assert (
        before.returncode == 2 and "database.url: the database is not migrated yet: run `hall migrate`" in before.stderr
    )
    assert _hall_cli(config, "migrate").returncode == 0
    after = _hall_cli(config, "check")
    assert after.returncode == 0, after.stderr
    assert "OK: 1 tenant(s)" in after.stdout


def test_unknown_connector_type_is_reported(tmp_path):
    config = _hall(tmp_path, [TenantSpec("alpha", connector={"type": "oracle-magic"})])
    with pytest.raises(ConfigError) as exc:
        Hall.from_config(config)
    assert "connector.type: no installed plugin provides connector 'oracle-magic'" in str(exc.value)
