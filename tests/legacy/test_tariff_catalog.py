"""The sqlbss tariff catalog port (``[connector.catalog]``) on both demo legacy systems, mapped by the documented
examples: SQLite, and a PostgreSQL copy with HALL_TEST_DB=postgres. Expected tariffs are read from the generated
SQLite file with plain SQL and converted by hand."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from lines_pool_support import ENGINES, LinesLegacy

from core.products.catalog import LegacyTariff, TariffCatalogSource

DOCS = Path(__file__).resolve().parents[2] / "docs" / "examples"


def catalog_section(style: str) -> dict:
    text = (DOCS / f"connector-{style}-catalog.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["connector"]["catalog"]


@pytest.fixture(params=[(style, engine) for style in ("jiangnan", "haibin") for engine in ENGINES], ids="-".join)
async def legacy(request, tmp_path):
    style, engine = request.param
    source = LinesLegacy(tmp_path, style, engine, subscribers=10, pool=10)
    source.config["catalog"] = catalog_section(style)
    await source.start()
    yield source
    await source.close()


def expected(legacy) -> list[LegacyTariff]:
    if legacy.style == "jiangnan":
        kinds = {"GH": "phone", "YD": "phone", "KD": "broadband", "BH": "account"}
        rows = legacy.sql("SELECT ZFBH, ZFMC, YWLX, YZF FROM ZF_ZFXX ORDER BY ZFBH")
        return [LegacyTariff(c, n, fee, kinds[k]) for c, n, k, fee in rows]
    kinds = {10: "phone", 11: "phone", 20: "broadband"}  # 30, dial-up, is mapped to "other": left out
    rows = legacy.sql("SELECT TARIFF_ID, TARIFF_NAME, PROD_TYPE, MONTH_FEE_FEN FROM PM_TARIFF ORDER BY TARIFF_ID")
    return [LegacyTariff(str(c), n, fee, kinds[k]) for c, n, k, fee in rows if k in kinds]


async def test_the_tariff_table_in_hall_units(legacy):
    connector = legacy.connector
    assert isinstance(connector, TariffCatalogSource)
    assert await connector.problems() == []
    got = await connector.tariffs()
    assert got == expected(legacy)
    assert len(got) >= 9 and all(t.monthly_fee_fen >= 0 and not t.problem for t in got)
    assert any(t.monthly_fee_fen == 8800 for t in got)  # 畅聊套餐88元: 88 yuan is 8800 fen


async def test_prices_in_another_unit_and_the_other_prices(legacy):
    """The same column read as jiao (a BSS keeping 角) is ten times the fen; the optional prices come along."""
    section = catalog_section(legacy.style)
    fee = section["monthly_fee"]
    connector = legacy.connect(
        catalog={"monthly_fee_format": "jiao_int", "min_spend": fee, "min_spend_format": "fen_int", "deposit": fee}
    )
    got = await connector.tariffs()
    assert [t.monthly_fee_fen for t in got] == [t.monthly_fee_fen * 10 for t in expected(legacy)]
    assert [t.min_spend_fen for t in got] == [t.monthly_fee_fen for t in expected(legacy)]
    assert [t.deposit_fen for t in got] == [t.monthly_fee_fen for t in expected(legacy)]


async def test_hall_check_names_what_does_not_fit(legacy):
    section = catalog_section(legacy.style)
    kinds = dict(section["kind_map"])
    kinds.pop(next(iter(kinds)))
    broken = legacy.connect(catalog={"monthly_fee": section["name"], "kind_map": kinds})
    problems = await broken.problems()
    keys = {p.key for p in problems}
    assert "connector.catalog.monthly_fee_format" in keys, problems  # a name is no money
    assert "connector.catalog.kind_map" in keys, problems  # a business type without an entry
    got = await broken.tariffs()
    assert got and all(t.problem for t in got)  # the core leaves such rows out of the catalog
    unknown = legacy.connect(catalog={"code": "NO_SUCH_COLUMN"})
    assert [p.key for p in await unknown.problems() if "catalog" in p.key] == ["connector.catalog.code"]
