"""The mapping language as written in tenant.toml: expressions, filters, queries and money formats, and every mistake named.

Each bad value is reported as ConfigIssue(file, key, reason) when the hall is
built, like every other configuration error; what the expressions do on real
databases is tests/conformance/test_mapping_language.py.
"""

from __future__ import annotations

import copy
import decimal
import tomllib
from pathlib import Path

import pytest
from legacy_examples import EXAMPLES

from core.config import ConfigError
from core.config.loader import _dynaconf_dict
from plugins.sqlbss import money, query_source
from plugins.sqlbss.expressions import Concat, Condition, Lookup, parse_column, parse_filter
from plugins.sqlbss.mapping import has_query, parse_mapping

TENANT_FILE = Path("/srv/hall/tenants/sh/tenant.toml")
SHANHAI = Path(__file__).resolve().parents[3] / "docs" / "examples" / "connector-shanhai.toml"


def config() -> dict:
    return copy.deepcopy(tomllib.loads(EXAMPLES["jiangnan"])["connector"])


def issues(cfg: dict) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        parse_mapping(cfg, TENANT_FILE)
    assert all(i.file == str(TENANT_FILE) for i in info.value.issues)
    return {i.key: i.reason for i in info.value.issues}


def test_the_forms_of_a_column():
    assert parse_column(" KHMC ") == "KHMC"
    assert parse_column({"concat": ["QH", "HM"], "separator": "-"}) == Concat(("QH", "HM"), "-")
    looked_up = parse_column(
        {"LOOKUP": "PM_CODE", "key": "CODE", "value": "CODE_NAME", "from": "ITEM_CD", "where": {"CODE_TYPE": "ITEM"}}
    )
    assert looked_up == Lookup("PM_CODE", ("CODE",), "CODE_NAME", ("ITEM_CD",), (Condition("CODE_TYPE", "eq", "ITEM"),))
    nested = parse_column(
        {
            "lookup": "SUBS",
            "key": ["AREA", "NO"],
            "from": ["A", {"concat": ["B", "C"]}],
            "value": {"concat": ["X", "Y"]},
        }
    )
    assert nested.source == ("A", Concat(("B", "C"))) and nested.value == Concat(("X", "Y"))


def test_the_forms_of_a_filter():
    assert parse_filter(
        {"DEL_FLAG": "0", "REC_TYPE": ["1", 2], "AMT": {"gt": 0, "le": 100}, "DEL_TIME": {"is_null": True}}
    ) == (
        Condition("DEL_FLAG", "eq", "0"),
        Condition("REC_TYPE", "in", ("1", 2)),
        Condition("AMT", "gt", 0),
        Condition("AMT", "le", 100),
        Condition("DEL_TIME", "is_null", True),
    )


@pytest.mark.parametrize(
    "section, values, key, reason",
    [
        ("numbers", {"number": {"concat": ["QH"]}}, "connector.numbers.number", "at least two columns"),
        (
            "numbers",
            {"number": {"concat": ["QH", "H M"]}},
            "connector.numbers.number",
            "concat[1]: 'H M' is not a plain",
        ),
        ("numbers", {"number": {"concat": ["A", "B"], "sep": "-"}}, "connector.numbers.number", "unknown key(s) sep"),
        ("numbers", {"number": {"join": ["A", "B"]}}, "connector.numbers.number", "needs concat or lookup"),
        ("numbers", {"number": 17}, "connector.numbers.number", "expected a column name"),
        (
            "customers",
            {"name": {"lookup": "T", "key": "K", "value": "V"}},
            "connector.customers.name",
            "lookup needs from",
        ),
        (
            "customers",
            {"name": {"lookup": "T", "key": ["K1", "K2"], "value": "V", "from": "F"}},
            "connector.customers.name",
            "key has 2 column(s) but from has 1",
        ),
        (
            "customers",
            {"name": {"lookup": "T; DROP", "key": "K", "value": "V", "from": "F"}},
            "connector.customers.name",
            "'T; DROP' is not a plain table or column name",
        ),
        (
            "customers",
            {"name": {"lookup": "T", "key": "K", "value": "V", "from": "F", "where": {"A B": 1}}},
            "connector.customers.name",
            "lookup where: 'A B' is not a plain",
        ),
        ("customers", {"key": ["KHBH", "X Y"]}, "connector.customers.key", "[1]: 'X Y' is not a plain"),
        ("customers", {"where": {"ZT": []}}, "connector.customers.where", "ZT: an empty list matches nothing"),
        ("customers", {"where": {"ZT": {"between": [1, 2]}}}, "connector.customers.where", "unknown key(s) between"),
        (
            "customers",
            {"where": {"ZT": {"is_null": "yes"}}},
            "connector.customers.where",
            "is_null takes true or false",
        ),
        ("customers", {"where_not": {"ZT; --": "X"}}, "connector.customers.where_not", "is not a plain"),
        ("customers", {"where": "ZT = 'A'"}, "connector.customers.where", "expected a table of column = condition"),
        ("customers", {"query": "SELECT * FROM KH_KHXX"}, "connector.customers.query", "give table or query, not both"),
        ("bills", {"amount_format": "li"}, "connector.bills.amount_format", "li_int"),
    ],
)
def test_bad_expressions_name_the_file_key_and_reason(section, values, key, reason):
    cfg = config()
    if section == "bills":
        cfg["bills"] = {"table": "B", "key": "K", "number": "N", "month": "M", "amount": "A", "changed": "C"}
    cfg[section] = {**cfg[section], **values}
    found = issues(cfg)
    assert key in found and reason in found[key], found


def test_a_section_needs_a_table_or_a_query():
    cfg = config()
    del cfg["numbers"]["table"]
    assert "required value is missing" in issues(cfg)["connector.numbers.table"]
    cfg["numbers"]["query"] = "SELECT HM, KHBH, HMLX, ZT FROM YW_HMXX WHERE SCBZ = '0'"
    mapping = parse_mapping(cfg, TENANT_FILE)
    assert mapping.numbers.table is None and has_query(mapping) and not has_query(parse_mapping(config(), TENANT_FILE))


@pytest.mark.parametrize(
    "query, reason",
    [
        ("SELECT 1; DROP TABLE KH_KHXX", "no semicolons"),
        ("DELETE FROM KH_KHXX", "must start with SELECT or WITH"),
        ("WITH gone AS (DELETE FROM KH_KHXX RETURNING *) SELECT * FROM gone", "DELETE is not allowed"),
        ("SELECT * INTO COPY_OF FROM KH_KHXX", "INTO is not allowed"),
        ("SELECT * FROM KH_KHXX FOR UPDATE", "UPDATE is not allowed"),
        ("SELECT * FROM KH_KHXX FOR SHARE", "FOR SHARE would lock"),
        ("SELECT * FROM KH_KHXX -- all of them", "comments"),
        ("SELECT * FROM KH_KHXX WHERE KHMC = 'O''Brien", "not closed"),
        ("   ", "is empty"),
    ],
)
def test_a_query_must_be_one_select_that_only_reads(query, reason):
    with pytest.raises(ValueError, match=reason):
        query_source.validate(query)
    cfg = config()
    cfg["customers"] = {k: v for k, v in cfg["customers"].items() if k != "table"} | {"query": query}
    assert reason in issues(cfg)["connector.customers.query"]


def test_words_inside_literals_and_quoted_names_are_only_text():
    query = "SELECT \"DELETE\" AS flag, REPLACE(HM, '-', '') AS HM, 'update; drop -- x' AS note FROM YW_HMXX WHERE ZT <> 'X'"
    assert query_source.validate(query) == query
    # SQLAlchemy would read " :30" as a bind parameter (not "12:30", nor a :: cast): escaped
    assert query_source._escaped("SELECT ' :30', '12:30', x::text FROM T") == "SELECT ' \\:30', '12:30', x::text FROM T"


@pytest.mark.parametrize(
    "raw, fmt, fen",
    [
        (12345, "li_int", 1234),  # 1234.5 fen: half to even
        (12355, "li_int", 1236),
        (35, "li_int", 4),
        (25, "li_int", 2),
        (-35, "li_int", -4),
        ("1234", "li_text", 123),
        (decimal.Decimal("12.5"), "li_decimal", 1),
        (1234, "fen_int", 1234),
        (decimal.Decimal("1234.00"), "fen_decimal", 1234),
        ("1,234", "fen_text", 1234),
        (7, "jiao_int", 70),
        (decimal.Decimal("7.5"), "jiao_decimal", 75),
        ("7.5", "jiao_text", 75),
        (12, "yuan_int", 1200),
        (decimal.Decimal("12.34"), "yuan_decimal", 1234),
        (12.34, "yuan", 1234),
        ("1,234.50", "yuan_text", 123450),
    ],
)
def test_money_in_every_unit(raw, fmt, fen):
    value = money.to_fen(raw, fmt)
    assert value == fen and type(value) is int


@pytest.mark.parametrize(
    "raw, fmt",
    [
        (decimal.Decimal("12.345"), "yuan_decimal"),  # a fraction of a fen outside li: the format is wrong
        ("1.5", "fen_text"),
        (decimal.Decimal("0.05"), "jiao_decimal"),
        ("12.5", "li_int"),
        ("120.00", "fen_int"),
        (1234, "li_text"),
        ("abc", "li_decimal"),
    ],
)
def test_money_that_does_not_fit_its_format_is_refused(raw, fmt):
    with pytest.raises(ValueError):
        money.to_fen(raw, fmt)


def test_apportioned_items_add_up_to_the_rounded_bill():
    parts = [decimal.Decimal("1001.5"), decimal.Decimal("233.5")]
    assert money.apportion(parts, 1235) == [1002, 233]
    assert money.apportion([decimal.Decimal("0.3")] * 3, 1) == [1, 0, 0]
    assert money.apportion([decimal.Decimal("-0.5"), decimal.Decimal("10.5")], 10) == [0, 10]


def test_the_shanhai_example_survives_the_hall_loader(tmp_path):
    """Dynaconf lower-cases keys, also the column names of where tables: they still parse (names resolve case-insensitively)."""
    tenant_toml = tmp_path / "tenant.toml"
    tenant_toml.write_text('[tenant]\nname = "x"\n' + SHANHAI.read_text(encoding="utf-8"), encoding="utf-8")
    loaded = parse_mapping(_dynaconf_dict([tenant_toml], "HALL_TENANT_X")["connector"], tenant_toml)
    written = parse_mapping(tomllib.loads(SHANHAI.read_text(encoding="utf-8"))["connector"], tenant_toml)
    assert loaded.numbers.number == written.numbers.number == Concat(("AREA_CODE", "LOCAL_NO"))
    assert [c.column.casefold() for c in loaded.customers.where_not] == ["del_flag", "cust_type"]
    assert loaded.bill_items.name == written.bill_items.name.__class__(
        **{**written.bill_items.name.__dict__, "where": (Condition("code_type", "eq", "ITEM"),)}
    )
