"""Invoice settings (seller, tax rates, prefix, e-invoice provider): `hall check` names the file, the key and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from core.api import ConfigError
from core.api.testing import TenantSpec, write_hall
from core.cli.base import cli

REPO = Path(__file__).resolve().parents[3]


def spec(**billpay) -> TenantSpec:
    return TenantSpec("alpha", plugins=["billpay"], connector={}, plugin_settings={"billpay": billpay})


@pytest.mark.parametrize(
    "key, value, reason",
    [
        ("invoice_issuer_tax_number", "91330106MA27XK8C3F", "not a valid unified social credit code"),
        ("invoice_prefix", "fp-", "1 to 6 capital letters"),
        ("invoice_default_tax_rate", 100, "percentage from 0 to less than 100"),
        ("invoice_provider", "baiwang", "no e-invoice provider 'baiwang' (have: local)"),
    ],
)
def test_bad_invoice_settings_name_the_tenant_file_and_key(hall_factory, key, value, reason):
    with pytest.raises(ConfigError) as raised:
        hall_factory([spec(**{key: value})])
    [issue] = raised.value.issues
    assert (
        issue.file.endswith("tenants/alpha/tenant.toml")
        and issue.key == f"plugins.billpay.{key}"
        and reason in issue.reason
    )


def test_a_bad_tax_rate_of_one_item_code_is_named(hall_factory):
    with pytest.raises(ConfigError) as raised:
        hall_factory([spec(invoice_tax_rates={"YZF": 9, "SWF": 6.125})])
    [issue] = raised.value.issues
    assert (
        issue.key == "plugins.billpay.invoice_tax_rates"
        and issue.reason.startswith("swf: ")
        and "at most two decimals" in issue.reason
    )


def test_hall_check_refuses_then_passes(tmp_path, hall_databases, monkeypatch):
    good = {
        "invoice_issuer": "测试电信有限公司",
        "invoice_issuer_tax_number": "91330106MA27XK8C3E",
        "invoice_tax_rates": {"SWF": 6},
    }
    config = write_hall(
        tmp_path / "hall",
        [spec(**{**good, "invoice_issuer_tax_number": "91330106MA27XK8C3X"})],
        database_url=hall_databases.fresh(tmp_path),
    )
    monkeypatch.setenv("HALL_CONFIG", str(config))
    monkeypatch.setenv("COLUMNS", "400")
    refused = CliRunner().invoke(cli, ["check"])
    assert refused.exit_code == 2
    assert (
        "tenants/alpha/tenant.toml: plugins.billpay.invoice_issuer_tax_number: not a valid unified social credit code"
        in refused.output
    )
    write_hall(tmp_path / "hall", [spec(**good)], database_url=hall_databases.fresh(tmp_path))
    passed = CliRunner().invoke(cli, ["check"])
    assert passed.exit_code == 0, passed.output


def test_the_demo_tenants_have_a_valid_seller():
    import tomllib

    from stdnum.cn import uscc

    for tid in ("jiangnan", "haibin", "qianshan"):
        billpay = tomllib.loads((REPO / "tenants" / tid / "tenant.toml").read_text(encoding="utf-8"))["plugins"][
            "billpay"
        ]
        assert billpay["invoice_issuer"] and uscc.is_valid(billpay["invoice_issuer_tax_number"])
