"""The mapping language in the lines and number-pool sections: a tariff table read by a query, a filtered pool, tariff names checked.

On the jiangnan demo system (SQLite, and a PostgreSQL copy with
HALL_TEST_DB=postgres); the customers, bills and calls sections are covered
on all three engines by tests/conformance/test_mapping_language.py.
"""

from __future__ import annotations

import pytest
from lines_pool_support import ENGINES, LinesLegacy

from core.legacy.ports import NumberQuery


@pytest.fixture(params=ENGINES)
async def jiangnan(request, tmp_path):
    source = await LinesLegacy(tmp_path, "jiangnan", request.param, subscribers=20, pool=120).start()
    yield source
    await source.close()


async def test_tariffs_from_a_query_join_like_the_table(jiangnan):
    customer = jiangnan.sql("SELECT KHBH FROM YW_HMXX WHERE ZFBH IS NOT NULL ORDER BY HM LIMIT 1")[0][0]
    by_table = await jiangnan.connector.lines_of_customer(customer)
    by_query = await jiangnan.connect(
        **{"lines.tariffs": {"table": None, "query": "SELECT ZFBH, ZFMC, YZF FROM ZF_ZFXX WHERE YZF >= 0"}}
    ).lines_of_customer(customer)
    assert by_query == by_table and any(line.tariff_name for line in by_query)


async def test_a_filtered_pool_offers_only_its_rows(jiangnan):
    kinds = jiangnan.sql("SELECT DISTINCT HMLX FROM ZY_XHHM ORDER BY HMLX")
    assert len(kinds) > 1
    only = kinds[0][0]
    connector = jiangnan.connect(number_pool={"where": {"HMLX": only}})
    page = await connector.free_numbers(NumberQuery(limit=200))
    wanted = {n for (n,) in jiangnan.sql("SELECT HM FROM ZY_XHHM WHERE HMLX = ?", only)}
    assert page.numbers and {n.number for n in page.numbers} <= wanted
    other = jiangnan.sql("SELECT HM FROM ZY_XHHM WHERE HMLX <> ? LIMIT 1", only)[0][0]
    assert await connector.number_status(other) is None


async def test_tariffs_named_by_their_code_are_flagged(jiangnan):
    connector = jiangnan.connect(**{"lines.tariffs": {"name": "ZFBH"}})
    found = {i.key: i.reason for i in await connector.problems()}
    assert "tariffs are named by their code" in found["connector.lines.tariffs.name"]
    assert "zf_zfxx.zfbh" in found["connector.lines.tariffs.name"].casefold()
