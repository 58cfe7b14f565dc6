"""``[connector.accounts]``, ``numbers.account``, ``bills.account``, ``bill_items.number``: validated, every mistake named."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

from core.config import ConfigError
from core.config.loader import _dynaconf_dict
from plugins.sqlbss.mapping import parse_mapping

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "conformance"))
from ridge_legacy import ACCOUNTS, COMMON, DERIVED, WITH_TABLE  # noqa: E402

TENANT_FILE = Path("/srv/hall/tenants/ridge/tenant.toml")


def issues_of(cfg: dict) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        parse_mapping(cfg, TENANT_FILE)
    assert all(i.file == str(TENANT_FILE) for i in info.value.issues)
    return {i.key: i.reason for i in info.value.issues}


def changed(cfg: dict, section: str, **values) -> dict:
    cfg = copy.deepcopy(cfg)
    for key, value in values.items():
        if value is None:
            cfg[section].pop(key, None)
        else:
            cfg[section][key] = value
    return cfg


def test_both_mappings_parse():
    table, derived = parse_mapping(WITH_TABLE, TENANT_FILE), parse_mapping(DERIVED, TENANT_FILE)
    assert table.accounts.key == ["AREA_CD", "ACCT_NO"] and table.accounts.customer_key == ["CUST_ID"]
    assert table.accounts.billing_map == {"h": "postpaid", "y": "prepaid"}
    assert table.accounts.default_billing == "postpaid" and derived.accounts is None
    assert derived.numbers.account == ["AREA_CD", "ACCT_NO"] and derived.bills.number is None
    assert derived.bill_items.number == "SUBS_NO"


def test_the_hall_loader_keeps_the_code_maps(tmp_path):
    """Dynaconf lower-cases keys: the billing and status codes still match."""
    tenant_toml = tmp_path / "tenant.toml"
    tenant_toml.write_text('[tenant]\nname = "x"\n' + COMMON + ACCOUNTS, encoding="utf-8")
    loaded = _dynaconf_dict([tenant_toml], "HALL_TENANT_X")["connector"]
    assert parse_mapping(loaded, tenant_toml) == parse_mapping(WITH_TABLE, tenant_toml)


@pytest.mark.parametrize(
    ("section", "values", "key", "reason"),
    [
        (
            "accounts",
            {"customer_key": ["CUST_ID", "AREA_CD"]},
            "connector.accounts.customer_key",
            "has 2 column(s) but customers.key has 1",
        ),
        ("accounts", {"billing_map": {}}, "connector.accounts.billing_map", "required when accounts.billing is set"),
        ("accounts", {"status_map": {}}, "connector.accounts.status_map", "required when accounts.status is set"),
        ("accounts", {"billing_map": {"H": "credit"}}, "connector.accounts.billing_map.H", "postpaid"),
        ("accounts", {"default_billing": "credit"}, "connector.accounts.default_billing", "postpaid"),
        ("accounts", {"key": "ACCT-NO"}, "connector.accounts.key", "not a plain table or column name"),
        ("accounts", {"colour": "x"}, "connector.accounts.colour", "unknown key"),
        ("numbers", {"account": None}, "connector.numbers.account", "required with [connector.accounts]"),
        ("numbers", {"account": "ACCT_NO"}, "connector.numbers.account", "has 1 column(s) but accounts.key has 2"),
        ("bills", {"account": "ACCT_NO"}, "connector.bills.account", "has 1 column(s) but accounts.key has 2"),
        ("bills", {"account": None}, "connector.bills.number", "give bills.number, bills.account"),
    ],
)
def test_mistakes_in_the_accounts_mapping_are_named(section, values, key, reason):
    issues = issues_of(changed(WITH_TABLE, section, **values))
    assert key in issues and reason in issues[key], issues


def test_bills_of_an_account_need_a_way_to_know_the_account():
    issues = issues_of(changed(DERIVED, "numbers", account=None))
    assert "needs [connector.accounts] or numbers.account" in issues["connector.bills.account"]
    issues = issues_of(changed(DERIVED, "bills", account="ACCT_NO"))
    assert "has 1 column(s) but numbers.account has 2" in issues["connector.bills.account"]


def test_a_bill_may_name_both_its_number_and_its_account():
    mapping = parse_mapping(changed(DERIVED, "bills", number="SUBS_NO"), TENANT_FILE)
    assert (mapping.bills.number, mapping.bills.account) == ("SUBS_NO", ["AREA_CD", "ACCT_NO"])


def test_every_account_key_is_documented():
    from plugins.sqlbss.accounts_mapping import AccountsMap

    page = (Path(__file__).resolve().parents[3] / "docs" / "connectors.md").read_text(encoding="utf-8")
    section = page.split("`[connector.accounts]`\n\n", 1)[1].split("\n\n", 1)[0]
    missing = [key for key in AccountsMap.model_fields if f"| `{key}` |" not in section]
    missing += [key for key in ("numbers.account", "bills.account", "bill_items.number") if f"`{key}`" not in page]
    assert not missing, f"docs/connectors.md does not document {missing}"
