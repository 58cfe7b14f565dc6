"""Mapping of bills and call records in tenant.toml: money and time formats, code maps, validation errors."""

from __future__ import annotations

import decimal
import tomllib
from pathlib import Path

import pytest
from billing_support import billing_toml, full_config
from legacy_examples import EXAMPLES

from core.config import ConfigError
from core.config.loader import _dynaconf_dict
from core.legacy.ports import PORTS, BillingSource, CallRecordSource, CustomerSource
from plugins.sqlbss.billing import connector_class
from plugins.sqlbss.billing_convert import to_fen
from plugins.sqlbss.connector import SqlBssConnector
from plugins.sqlbss.mapping import parse_mapping

TENANT_FILE = Path("/srv/hall/tenants/jn/tenant.toml")


@pytest.mark.parametrize(
    "raw, fmt, fen",
    [
        ("12.34", "yuan_text", 1234),
        (" 12.3 ", "yuan_text", 1230),
        ("12", "yuan_text", 1200),
        ("0.05", "yuan_text", 5),
        ("-3.20", "yuan_text", -320),
        ("1,234.50", "yuan_text", 123450),
        (1234, "fen_int", 1234),
        ("1234", "fen_int", 1234),
        (decimal.Decimal("1234"), "fen_int", 1234),
        (1234.0, "fen_int", 1234),
        (123, "jiao_int", 1230),
        ("7", "jiao_int", 70),
        (12.34, "yuan", 1234),
        (0.1, "yuan", 10),
        (decimal.Decimal("58.30"), "yuan", 5830),
        (3, "yuan", 300),
    ],
)
def test_money_becomes_integer_fen(raw, fmt, fen):
    value = to_fen(raw, fmt)
    assert value == fen and type(value) is int


@pytest.mark.parametrize(
    "raw, fmt",
    [
        ("12.345", "yuan_text"),
        ("12.3x", "yuan_text"),
        ("", "yuan_text"),
        (None, "fen_int"),
        (12.34, "yuan_text"),
        ("12.5", "fen_int"),
        (12.5, "fen_int"),
        (decimal.Decimal("1.5"), "jiao_int"),
        ("NaN", "yuan"),
        (True, "fen_int"),
    ],
)
def test_money_that_is_not_exact_is_refused(raw, fmt):
    with pytest.raises(ValueError):
        to_fen(raw, fmt)


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_documented_billing_examples_parse(style):
    mapping = parse_mapping(full_config(style), TENANT_FILE)
    assert mapping.bills and mapping.bill_items and mapping.calls
    assert set(mapping.calls.call_type_map.values()) == {"local", "long_distance", "international", "sms", "data"}
    assert set(mapping.bills.status_map.values()) == {"unpaid", "partial", "paid"}


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_billing_examples_survive_the_hall_loader(tmp_path, style):
    """Dynaconf lower-cases keys (call types LOC, status letters W/Y): the maps must still match."""
    tenant_toml = tmp_path / "tenant.toml"
    tenant_toml.write_text('[tenant]\nname = "x"\n' + EXAMPLES[style] + "\n" + billing_toml(style), encoding="utf-8")
    loaded = _dynaconf_dict([tenant_toml], "HALL_TENANT_X")["connector"]
    assert parse_mapping(loaded, tenant_toml) == parse_mapping(full_config(style), tenant_toml)


def test_the_repository_tenants_map_bills_and_calls():
    root = Path(__file__).resolve().parents[2] / "tenants"
    for style in ("jiangnan", "haibin"):
        cfg = tomllib.loads((root / style / "tenant.toml").read_text(encoding="utf-8"))["connector"]
        mapping = parse_mapping(cfg, root / style / "tenant.toml")
        assert mapping.bills == parse_mapping(full_config(style), TENANT_FILE).bills
        assert mapping.calls == parse_mapping(full_config(style), TENANT_FILE).calls


def test_ports_follow_the_mapping(tmp_path):
    assert PORTS["bills"] is BillingSource and PORTS["calls"] is CallRecordSource
    full = parse_mapping(full_config("jiangnan"), TENANT_FILE)
    connector = connector_class(full)(full, root=tmp_path, tenant_file=TENANT_FILE)
    assert isinstance(connector, (BillingSource)) and isinstance(connector, CallRecordSource)
    assert isinstance(connector, SqlBssConnector) and isinstance(connector, CustomerSource)
    only_customers = parse_mapping(tomllib.loads(EXAMPLES["jiangnan"])["connector"], TENANT_FILE)
    plain = connector_class(only_customers)(only_customers, root=tmp_path, tenant_file=TENANT_FILE)
    assert not isinstance(plain, BillingSource) and not isinstance(plain, CallRecordSource)
    no_calls = {k: v for k, v in full_config("jiangnan").items() if k != "calls"}
    bills_only = parse_mapping(no_calls, TENANT_FILE)
    connector = connector_class(bills_only)(bills_only, root=tmp_path, tenant_file=TENANT_FILE)
    assert isinstance(connector, BillingSource) and not isinstance(connector, CallRecordSource)


def issues(cfg: dict) -> list[tuple[str, str, str]]:
    with pytest.raises(ConfigError) as info:
        parse_mapping(cfg, TENANT_FILE)
    return [(i.file, i.key, i.reason) for i in info.value.issues]


def changed(style: str, section: str, **values) -> dict:
    cfg = full_config(style)
    cfg[section] = {**cfg[section], **values}
    return {**cfg, section: {k: v for k, v in cfg[section].items() if v is not None}}


@pytest.mark.parametrize(
    "section, values, key, reason",
    [
        ("calls", {"tabel": "X"}, "connector.calls.tabel", "unknown key"),
        ("calls", {"table": "HD_202401"}, "connector.calls.table", "exactly one of table or table_pattern"),
        ("calls", {"table_pattern": "HD_{yyyy}"}, "connector.calls.table_pattern", "{yyyymm} once"),
        ("calls", {"call_type_map": {}}, "connector.calls.call_type_map", "required"),
        ("calls", {"call_type_map": {"1": "landline"}}, "connector.calls.call_type_map.1", "local"),
        ("calls", {"months": 0}, "connector.calls.months", "greater than or equal to 1"),
        ("bills", {"amount_format": "dollars"}, "connector.bills.amount_format", "fen_int"),
        ("bills", {"changed_format": "%Y"}, "connector.bills.changed_format", "text:<strftime format>"),
        ("bills", {"status_map": {}}, "connector.bills.status_map", "required when bills.status is set"),
        ("bills", {"amount": "ZJE; DROP TABLE"}, "connector.bills.amount", "not a plain table or column name"),
        (
            "bill_items",
            {"bill_key": ["ZDBH", "XH"]},
            "connector.bill_items.bill_key",
            "has 2 column(s) but bills.key has 1",
        ),
    ],
)
def test_mapping_errors_name_the_file_and_key(section, values, key, reason):
    found = issues(changed("jiangnan", section, **values))
    assert any(f == str(TENANT_FILE) and k == key and reason in r for f, k, r in found), found


def test_items_need_bills():
    cfg = {k: v for k, v in full_config("haibin").items() if k != "bills"}
    assert ("connector.bill_items", "needs [connector.bills]") in [(k, r) for _, k, r in issues(cfg)]


def test_billing_ports_combine_with_writeback(tmp_path):
    from core.legacy.ports import PORTS

    cfg = {
        **full_config("haibin"),
        "writeback": {"table": "INBOX", "event_id": "EID", "kind": "KIND", "payload": "BODY"},
    }
    mapping = parse_mapping(cfg, TENANT_FILE)
    connector = connector_class(mapping)(mapping, root=tmp_path, tenant_file=TENANT_FILE)
    assert all(isinstance(connector, PORTS[name]) for name in ("customers", "bills", "calls", "writeback"))
