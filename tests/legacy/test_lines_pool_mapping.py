"""Mapping of [connector.lines] and [connector.number_pool]: documented = tested = the demo tenants', and every
mistake names the tenant file, the key, the table, the column and a sample value."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest
from legacy_examples import EXAMPLES
from lines_pool_support import ENGINES, LinesLegacy, lines_config, lines_toml

from core.config import ConfigError
from core.config.loader import _dynaconf_dict
from core.legacy.ports import PORTS, NumberPoolSource, NumberQuery, ServiceLineSource, missing_ports
from plugins.sqlbss.compose import connector_class
from plugins.sqlbss.mapping import parse_mapping

TENANT_FILE = Path("/srv/hall/tenants/jn/tenant.toml")
REPO = Path(__file__).resolve().parents[2]
BAD_MONEY = {"jiangnan": "fen_int", "haibin": "yuan_text"}  # the other style's format: wrong for this data


@pytest.fixture(params=[(style, engine) for style in ("jiangnan", "haibin") for engine in ENGINES], ids="-".join)
async def legacy(request, tmp_path):
    style, engine = request.param
    source = await LinesLegacy(tmp_path, style, engine, subscribers=20, pool=200).start()
    yield source
    await source.close()


def issues_of(cfg: dict) -> list[tuple[str, str, str]]:
    with pytest.raises(ConfigError) as info:
        parse_mapping(cfg, TENANT_FILE)
    return [(i.file, i.key, i.reason) for i in info.value.issues]


@pytest.mark.parametrize("style", ["jiangnan", "haibin"])
def test_examples_parse_survive_the_loader_and_are_the_tenants(tmp_path, style):
    mapping = parse_mapping(lines_config(style), TENANT_FILE)
    assert mapping.lines.tariffs and mapping.lines.long_distance and mapping.lines.international
    assert set(mapping.number_pool.status_map.values()) == {"free", "reserved", "taken"}
    assert sorted(mapping.number_pool.grade_map.values()) == [0, 1, 2, 3]
    tenant_toml = tmp_path / "tenant.toml"
    tenant_toml.write_text('[tenant]\nname = "x"\n' + EXAMPLES[style] + "\n" + lines_toml(style), encoding="utf-8")
    loaded = parse_mapping(_dynaconf_dict([tenant_toml], "HALL_TENANT_X")["connector"], tenant_toml)
    assert loaded.lines == mapping.lines and loaded.number_pool == mapping.number_pool
    repo_tenant = REPO / "tenants" / style / "tenant.toml"
    ours = parse_mapping(tomllib.loads(repo_tenant.read_text(encoding="utf-8"))["connector"], repo_tenant)
    assert ours.lines == mapping.lines and ours.number_pool == mapping.number_pool


def test_ports_follow_the_mapped_sections(tmp_path):
    assert PORTS["lines"] is ServiceLineSource and PORTS["number_pool"] is NumberPoolSource
    full = lines_config("jiangnan")
    plain = {k: v for k, v in full.items() if k not in ("lines", "number_pool")}
    for cfg, lines, pool in [
        (full, True, True),
        (plain, False, False),
        ({**plain, "lines": full["lines"]}, True, False),
        ({**plain, "number_pool": full["number_pool"]}, False, True),
    ]:
        mapping = parse_mapping(cfg, TENANT_FILE)
        connector = connector_class(mapping)(mapping, root=tmp_path, tenant_file=TENANT_FILE)
        assert isinstance(connector, ServiceLineSource) is lines and isinstance(connector, NumberPoolSource) is pool
        assert missing_ports(connector, [ServiceLineSource, NumberPoolSource]) == [
            n for n, on in [("lines", lines), ("number_pool", pool)] if not on
        ]


def test_static_mistakes_name_the_key():
    cfg = lines_config("jiangnan")
    broken = copy.deepcopy(cfg)
    del broken["number_pool"]["status_map"]
    broken["number_pool"]["grade_map"]["A"] = 12
    broken["lines"]["colour"] = "YS"
    keys = {key: reason for _, key, reason in issues_of(broken)}
    assert "required value is missing" in keys["connector.number_pool.status_map"]
    assert "0 (ordinary) to 9" in keys["connector.number_pool.grade_map"]
    assert "unknown key" in keys["connector.lines.colour"]
    broken = copy.deepcopy(cfg)
    del broken["lines"]["tariff"]
    del broken["number_pool"]["kind_map"]
    broken["number_pool"]["status_map"] = {"0": "reserved"}
    assert {key for _, key, _ in issues_of(broken)} == {
        "connector.lines.tariff",
        "connector.number_pool.kind_map",
        "connector.number_pool.status_map",
    }


async def test_unknown_names_in_the_live_schema(legacy):
    connector = legacy.connector
    broken = legacy.connect(lines={"long_distance": "NO_SUCH_FLAG"}, number_pool={"grade": "NO_GRADE"})
    issues = {i.key: i for i in await broken.problems()}
    assert set(issues) == {"connector.lines.long_distance", "connector.number_pool.grade"}
    lines_table = legacy.config["numbers"]["table"]
    assert "'NO_SUCH_FLAG'" in issues["connector.lines.long_distance"].reason
    assert lines_table.casefold() in issues["connector.lines.long_distance"].reason.casefold()
    assert issues["connector.number_pool.grade"].file == str(legacy.tenant_file)
    with pytest.raises(ConfigError) as info:
        await broken.line_by_number(legacy.demo[0].numbers[0])
    assert [i.key for i in info.value.issues] == ["connector.lines.long_distance"]
    no_tariffs = legacy.connect(**{"lines.tariffs": {"table": "NO_TARIFFS"}})
    [issue] = await no_tariffs.problems()
    assert issue.key == "connector.lines.tariffs.table" and "NO_TARIFFS" in issue.reason
    assert await connector.problems() == []


async def test_values_that_do_not_convert_show_table_column_and_sample(legacy):
    pool_table, price_column = legacy.config["number_pool"]["table"], legacy.config["number_pool"]["price"]
    wrong_money = legacy.connect(number_pool={"price_format": BAD_MONEY[legacy.style]})
    [issue] = await wrong_money.problems()
    assert issue.key == "connector.number_pool.price_format"
    assert f"{pool_table}.{price_column}".casefold() in issue.reason.casefold() and "value " in issue.reason
    sample = issue.reason.split("value ", 1)[1].split(" in ", 1)[0]
    prices = {repr(p) for (p,) in legacy.sql(f"SELECT {price_column} FROM {pool_table}")}
    assert sample in prices  # a real value of that column
    page = await wrong_money.free_numbers(NumberQuery(limit=5))
    assert page.numbers and all(
        n.problem.startswith(f"{legacy.tenant_file}: connector.number_pool.price_format") for n in page.numbers
    )

    wrong_date = legacy.connect(lines={"opened_format": "text:%Y-%m-%d"})
    [issue] = await wrong_date.problems()
    assert (
        issue.key == "connector.lines.opened_format"
        and legacy.config["lines"]["opened"].casefold() in issue.reason.casefold()
    )
    line = await wrong_date.line_by_number(legacy.demo[0].numbers[0])
    assert line.customer_id == legacy.demo[0].legacy_id and "connector.lines.opened_format" in line.problem


async def test_unmapped_codes_are_listed_with_their_column(legacy):
    first_flag = next(iter(legacy.config["lines"]["flag_map"]))
    grades = dict(list(legacy.config["number_pool"]["grade_map"].items())[1:])  # forget the ordinary grade's code
    forgot = legacy.connect(lines={"flag_map": {first_flag: True}}, number_pool={"grade_map": grades})
    found = await forgot.problems()
    issues = {i.key: i.reason for i in found}
    assert set(issues) == {"connector.lines.flag_map", "connector.number_pool.grade_map"}
    flags = [i.reason.casefold() for i in found if i.key == "connector.lines.flag_map"]  # one per flag column
    assert [
        legacy.config["lines"][role].casefold() in reason
        for role, reason in zip(("long_distance", "international"), flags)
    ] == [True, True]
    ordinary_code = next(iter(legacy.config["number_pool"]["grade_map"]))
    assert repr(ordinary_code) in issues["connector.number_pool.grade_map"]
    assert legacy.config["number_pool"]["grade"].casefold() in issues["connector.number_pool.grade_map"].casefold()
