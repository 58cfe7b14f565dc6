"""sqlbss mapping: the two demo styles by configuration alone; every mistake names the tenant file, the key and why."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
from legacy_examples import EXAMPLES

import plugins.sqlbss as sqlbss
from core.config import ConfigError
from core.config.loader import _dynaconf_dict
from plugins.sqlbss.connector import SqlBssConnector
from plugins.sqlbss.mapping import parse_mapping

DOCS = Path(__file__).resolve().parents[3] / "docs" / "examples"
TENANT_FILE = Path("/srv/hall/tenants/jn/tenant.toml")


def config(style: str) -> dict:
    return tomllib.loads(EXAMPLES[style])["connector"]


def issues_of(cfg: dict) -> list[tuple[str, str, str]]:
    with pytest.raises(ConfigError) as info:
        parse_mapping(cfg, TENANT_FILE)
    return [(i.file, i.key, i.reason) for i in info.value.issues]


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_documented_examples_are_the_tested_ones(style):
    documented = tomllib.loads((DOCS / f"connector-{style}.toml").read_text(encoding="utf-8"))["connector"]
    assert documented == config(style)


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_examples_survive_the_hall_loader(tmp_path, style):
    """The hall reads tenant.toml through Dynaconf and lower-cases keys: status maps must still work."""
    tenant_toml = tmp_path / "tenant.toml"
    tenant_toml.write_text('[tenant]\nname = "x"\n' + EXAMPLES[style], encoding="utf-8")
    loaded = _dynaconf_dict([tenant_toml], "HALL_TENANT_X")["connector"]
    mapping = parse_mapping(loaded, tenant_toml)
    assert mapping == parse_mapping(config(style), tenant_toml)
    assert set(mapping.customers.status_map.values()) == {"active", "suspended", "closed"}


def test_styles_differ_only_in_configuration():
    jn, hb = parse_mapping(config("jiangnan"), TENANT_FILE), parse_mapping(config("haibin"), TENANT_FILE)
    assert jn.customers.key == ["KHBH"] and hb.customers.key == ["AREA_NO", "CUST_SEQ"]
    assert jn.customers.changed_format == "text:%Y%m%d%H%M%S" and hb.customers.changed_format == "epoch"
    assert hb.numbers.kind_map == {"10": "phone", "11": "phone", "20": "broadband", "30": "account"}
    assert jn.customers.status_map == {"a": "active", "s": "suspended", "x": "closed"}


def test_make_connector_hook(tmp_path):
    hall = SimpleNamespace(root=tmp_path)
    tenant = SimpleNamespace(id="jn", path=tmp_path / "tenants" / "jn")
    connector = sqlbss.make_connector(hall=hall, tenant=tenant, config=config("jiangnan"))
    assert isinstance(connector, SqlBssConnector)
    assert connector.tenant_file == str(tmp_path / "tenants" / "jn" / "tenant.toml")
    assert sqlbss.make_connector(hall=hall, tenant=tenant, config={"type": "other"}) is None
    assert sqlbss.make_connector(hall=hall, tenant=tenant, config={}) is None


def test_make_connector_reports_mapping_errors_with_tenant_file(tmp_path):
    cfg = config("jiangnan")
    del cfg["customers"]["name"]
    tenant = SimpleNamespace(id="jn", path=tmp_path / "tenants" / "jn")
    with pytest.raises(ConfigError) as info:
        sqlbss.make_connector(hall=SimpleNamespace(root=tmp_path), tenant=tenant, config=cfg)
    assert [(i.file, i.key) for i in info.value.issues] == [
        (str(tenant.path / "tenant.toml"), "connector.customers.name")
    ]


def test_missing_column_key():
    cfg = config("jiangnan")
    del cfg["customers"]["name"]
    assert issues_of(cfg) == [(str(TENANT_FILE), "connector.customers.name", "required value is missing")]


def test_misspelt_key():
    cfg = config("jiangnan")
    cfg["customers"]["adress"] = cfg["customers"].pop("address")
    [(file, key, reason)] = issues_of(cfg)
    assert (file, key) == (str(TENANT_FILE), "connector.customers.adress") and "unknown key" in reason


def test_several_problems_reported_together():
    cfg = config("haibin")
    cfg["customers"]["changed_format"] = "yyyymmdd"
    cfg["customers"]["status_map"]["3"] = "dormant"
    cfg["numbers"]["number"] = "ACC NBR"
    cfg["timezone"] = "Mars/Olympus"
    found = {key: reason for _, key, reason in issues_of(cfg)}
    assert set(found) == {
        "connector.customers.changed_format",
        "connector.customers.status_map.3",
        "connector.numbers.number",
        "connector.timezone",
    }
    assert (
        "text:<strftime format>" in found["connector.customers.changed_format"]
        and "'yyyymmdd'" in found["connector.customers.changed_format"]
    )
    assert "'active', 'suspended' or 'closed'" in found["connector.customers.status_map.3"]
    assert (
        "not a plain table or column name" in found["connector.numbers.number"]
        and "'ACC NBR'" in found["connector.numbers.number"]
    )
    assert "unknown time zone" in found["connector.timezone"]


def test_cross_field_checks():
    cfg = config("haibin")
    cfg["numbers"]["customer_key"] = "CUST_SEQ"
    del cfg["customers"]["status_map"]
    found = {key: reason for _, key, reason in issues_of(cfg)}
    assert "has 1 column(s) but customers.key has 2" in found["connector.numbers.customer_key"]
    assert "required when customers.status is set" in found["connector.customers.status_map"]


def test_optional_columns_may_be_left_out():
    cfg = copy.deepcopy(config("jiangnan"))
    for key in ("email", "phone", "address", "status", "status_map"):
        del cfg["customers"][key]
    for key in ("kind", "kind_map", "status", "status_map"):
        del cfg["numbers"][key]
    mapping = parse_mapping(cfg, TENANT_FILE)
    assert mapping.customers.email is None and mapping.numbers.default_kind == "phone"


def test_wrong_type_is_refused():
    cfg = config("jiangnan")
    cfg["type"] = "other"
    [(_, key, _)] = issues_of(cfg)
    assert key == "connector.type"
