"""Write-back mappings are validated: at start-up by file, key and reason; by ``hall check`` against the live tables."""

from __future__ import annotations

import asyncio
import copy

import pytest
from legacy_examples import EXAMPLES
from payments_support import WRITEBACK, bss, bss_config  # noqa: F401  (the fixture)

from core.config import ConfigError
from core.config.loader import _dynaconf_dict
from plugins.sqlbss.mapping import parse_mapping
from plugins.sqlbss.writeback_money import from_fen, to_fen

FILE = "/srv/hall/tenants/qianshan/tenant.toml"
BILL = '"payment.posted"[1]'


def issues(change) -> dict[str, str]:
    config = copy.deepcopy(bss_config())
    change(config)
    with pytest.raises(ConfigError) as err:
        parse_mapping(config, FILE)
    assert {i.file for i in err.value.issues} == {FILE}
    found: dict[str, str] = {}
    for i in err.value.issues:
        found[i.key] = f"{found[i.key]} | {i.reason}" if i.key in found else i.reason
    return found


def bill_target(config) -> dict:
    return config["writeback"]["events"]["payment.posted"][0]


def test_the_example_mapping_parses():
    mapping = parse_mapping(bss_config(), FILE)
    [bill, topup] = mapping.writeback.targets("payment.posted")
    assert (bill.table, bill.for_each, bill.key, dict(bill.when)) == (
        "JF_JFJL",
        "payload.metadata.bills",
        ["LSH"],
        {"payload.purpose": "bill"},
    )
    assert bill.columns["je"].source == "money" and bill.columns["hm"].source == "field"
    assert bill.columns["qd"].map == {"alipay": "12", "wechat": "13"}
    assert topup.label == f"writeback.events.{BILL[:-3]}[2]" and not mapping.writeback.has_inbox
    assert mapping.payment_records.channel_map["01"] == "counter"


def test_the_documented_example_survives_the_hall_loader(tmp_path):
    """Dynaconf lower-cases every key (columns, map codes) and keeps the quoted kinds and arrays of tables."""
    tenant_toml = tmp_path / "tenant.toml"
    tenant_toml.write_text('[tenant]\nname = "x"\n' + EXAMPLES["jiangnan"] + WRITEBACK, encoding="utf-8")
    loaded = _dynaconf_dict([tenant_toml], "HALL_TENANT_X")["connector"]
    assert parse_mapping(loaded, tenant_toml) == parse_mapping(bss_config(), tenant_toml)


@pytest.mark.parametrize(
    "change, key, reason",
    [
        (
            lambda c: bill_target(c)["columns"]["je"].update(format="jiao"),
            f"connector.writeback.events.{BILL}.columns.je",
            "must be <unit>_<form>",
        ),
        (
            lambda c: bill_target(c)["columns"]["je"].pop("format"),
            f"connector.writeback.events.{BILL}.columns.je",
            "money needs format",
        ),
        (
            lambda c: bill_target(c)["columns"].update(czy={"value": "WT", "field": "payload.owner"}),
            f"connector.writeback.events.{BILL}.columns.czy",
            "give exactly one of",
        ),
        (
            lambda c: bill_target(c)["columns"].update(czy={"valeu": "WT"}),
            f"connector.writeback.events.{BILL}.columns.czy.valeu",
            "unknown key",
        ),
        (
            lambda c: bill_target(c)["columns"].update(hm="metadata.number"),
            f"connector.writeback.events.{BILL}.columns.hm.field",
            "is not a value path",
        ),
        (
            lambda c: bill_target(c)["columns"]["lsh"].update(serial="WT{date:%Y%m%d}"),
            f"connector.writeback.events.{BILL}.columns.lsh.serial",
            "exactly one {hash:N}",
        ),
        (
            lambda c: bill_target(c)["columns"]["lsh"].update(serial="WT{hash:4}"),
            f"connector.writeback.events.{BILL}.columns.lsh.serial",
            "between 8 and 32 digits",
        ),
        (
            lambda c: bill_target(c).update(key="NOPE"),
            f"connector.writeback.events.{BILL}.key",
            "column 'NOPE' is not in",
        ),
        (
            lambda c: bill_target(c).update(key="HM"),
            f"connector.writeback.events.{BILL}.key",
            "must differ per element",
        ),
        (
            lambda c: bill_target(c).update(key="JFSJ") or bill_target(c)["columns"].update(jfsj={"time": "event.at"}),
            f"connector.writeback.events.{BILL}.key",
            "may not come from event.at",
        ),
        (
            lambda c: c["writeback"]["events"]["payment.refunded"]["columns"].update(yf="item.month"),
            'connector.writeback.events."payment.refunded".columns.yf',
            "needs for_each",
        ),
        (
            lambda c: c["writeback"].update(table="HALL_INBOX"),
            "connector.writeback.event_id",
            "required for the inbox",
        ),
        (
            lambda c: c["writeback"].update(events={}),
            "connector.writeback",
            "map the inbox",
        ),
        (
            lambda c: c["payment_records"].update(paid_at_format="text:%d/%m/%Y %H:%M"),
            "connector.payment_records.paid_at_format",
            "must sort as time",
        ),
        (
            lambda c: c["payment_records"].update(amount_format="cents"),
            "connector.payment_records.amount_format",
            "must be <unit>_<form>",
        ),
    ],
)
def test_a_bad_mapping_fails_with_file_key_and_reason(change, key, reason):
    found = issues(change)
    assert key in found, found
    assert reason in found[key]


def test_money_formats_go_both_ways():
    cases = [
        ("li_int", 1234, 12340),
        ("fen_int", 1234, 1234),
        ("jiao_int", 1230, 123),
        ("yuan_int", 1200, 12),
        ("yuan_decimal", 1234, "12.34"),
        ("yuan", -1234, "-12.34"),
        ("jiao_decimal", 1235, "123.5"),
        ("yuan_text", 1230, "12.30"),
        ("fen_text", 1234, "1234"),
    ]
    for fmt, fen, legacy in cases:
        written = from_fen(fen, fmt)
        assert str(written) == str(legacy), fmt
        assert to_fen(written, fmt) == fen, fmt
    for fmt, fen in (("jiao_int", 1235), ("yuan_int", 1250)):
        with pytest.raises(ValueError, match="not a whole number"):
            from_fen(fen, fmt)
    with pytest.raises(ValueError, match="fractions of a fen"):
        to_fen("1.5", "fen_decimal")


def check(bss, **changes) -> dict[str, str]:  # noqa: F811
    connector = bss.connector(**changes)
    try:
        return {i.key: i.reason for i in asyncio.run(connector.problems())}
    finally:
        asyncio.run(connector.close())


def test_hall_check_accepts_the_mapping_and_names_what_does_not_fit(bss):  # noqa: F811
    assert check(bss) == {}
    config = copy.deepcopy(bss.config["writeback"])
    bill = config["events"]["payment.posted"][0]
    bill["columns"]["jey"] = {"money": "item.amount_fen", "format": "yuan_text"}  # text into a DECIMAL column
    bill["columns"]["jfsj"] = {"time": "payload.paid_at", "format": "epoch"}  # a number into a VARCHAR
    bill["columns"]["lsh"] = {"serial": "WT{date:%Y%m%d}{hash:16}", "date": "payload.paid_at"}  # 26 > 20 characters
    bill["columns"]["bz_typo"] = "payload.intent_id"
    config["events"]["payment.refunded"]["key"] = ["BZ"]  # not unique in JF_JFJL
    config["events"]["payment.refunded"]["columns"]["zh"]["take"] = "NO_SUCH"
    found = check(bss, writeback=config)
    assert "not found" in found[f"connector.writeback.events.{BILL}.columns.bz_typo"]
    assert "column 'NO_SUCH' not found" in found['connector.writeback.events."payment.refunded".columns.zh.take']
    bill["columns"].pop("bz_typo")
    config["events"]["payment.refunded"]["columns"]["zh"]["take"] = "KHBH"
    found = check(bss, writeback=config)
    at = f"connector.writeback.events.{BILL}.columns"
    assert "yuan_text writes text, but" in found[f"{at}.jey.format"] and "is not text" in found[f"{at}.jey.format"]
    assert "epoch writes a number" in found[f"{at}.jfsj.format"]
    assert "is 26 characters" in found[f"{at}.lsh"] and "holds 20" in found[f"{at}.lsh"]
    assert "is not unique in" in found['connector.writeback.events."payment.refunded".key']
