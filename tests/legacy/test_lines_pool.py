"""The lines and number_pool ports on both demo legacy systems (SQLite; also a PostgreSQL copy with HALL_TEST_DB=postgres)."""

from __future__ import annotations

import pytest
from lines_pool_support import ENGINES, LinesLegacy

from core.demo.numbers import grade_of
from core.legacy.ports import NumberPoolSource, NumberQuery, ServiceLineSource


@pytest.fixture(params=[(style, engine) for style in ("jiangnan", "haibin") for engine in ENGINES], ids="-".join)
async def legacy(request, tmp_path):
    style, engine = request.param
    source = await LinesLegacy(tmp_path, style, engine).start()
    yield source
    await source.close()


async def read_pages(connector, query: NumberQuery) -> tuple[list, int]:
    """Every page of ``query``; (numbers, pages)."""
    numbers, pages, after = [], 0, ""
    while True:
        page = await connector.free_numbers(NumberQuery(**{**query.__dict__, "after": after}))
        pages += 1
        assert len(page.numbers) <= query.limit
        numbers += page.numbers
        if not page.next_after:
            return numbers, pages
        assert page.next_after == page.numbers[-1].number and len(page.numbers) == query.limit
        after = page.next_after


async def test_lines_in_hall_units(legacy):
    connector = legacy.connector
    assert isinstance(connector, ServiceLineSource) and isinstance(connector, NumberPoolSource)
    assert await connector.problems() == []
    expected = legacy.expected_lines()
    by_customer: dict[str, list] = {}
    for line in expected:
        by_customer.setdefault(line.customer_id, []).append(line)
    for customer_id, lines in by_customer.items():
        assert await connector.lines_of_customer(customer_id) == lines
    for line in expected[::9]:
        assert await connector.line_by_number(line.number) == line
    assert all(type(line.monthly_fee_fen) is int for line in expected)
    assert {line.tariff_name for line in expected} >= {"普通电话基本套餐", "畅聊套餐58元"}
    phones = [line for line in expected if line.kind == "phone"]
    assert any(line.long_distance for line in phones) and any(not line.long_distance for line in phones)
    assert any(line.international for line in phones)
    assert not any(line.long_distance or line.international for line in expected if line.kind != "phone")
    first = legacy.demo[0]
    assert sorted(line.number for line in await connector.lines_of_customer(first.legacy_id)) == sorted(first.numbers)


async def test_unknown_lines_and_customers(legacy):
    connector = legacy.connector
    assert await connector.line_by_number("00000000000") is None
    assert await connector.line_by_number("  ") is None
    unknown = "JN99999999" if legacy.style == "jiangnan" else "0532-99999"
    for legacy_id in (unknown, "", "nonsense-x-y", "0532-abc"):
        assert await connector.lines_of_customer(legacy_id) == []


async def test_free_numbers_page_through_the_whole_free_pool(legacy):
    pool = legacy.expected_pool()
    free = [n for n in pool if n.status == "free"]
    numbers, pages = await read_pages(legacy.connector, NumberQuery(limit=37))
    assert numbers == free and pages == len(free) // 37 + 1
    assert len(free) < len(pool)  # reserved and taken numbers are never offered


async def test_pool_is_realistic(legacy):
    pool = legacy.expected_pool()
    assert all(n.grade == grade_of(n.number) for n in pool)  # the grade agrees with the digits
    assert 0.15 < sum(n.premium for n in pool) / len(pool) < 0.35
    assert {n.kind for n in pool} == {"mobile", "fixed"} and len({n.area for n in pool}) == 3
    for grade in range(1, 4):
        assert min(n.price_fen for n in pool if n.grade == grade) > max(
            n.price_fen for n in pool if n.grade == grade - 1
        )
    assert all(n.price_fen == 0 and n.min_spend_fen == 0 for n in pool if n.grade == 0)
    assert all(n.number.startswith(n.area) for n in pool if n.kind == "fixed")
    in_service = {line.number for line in legacy.expected_lines()}
    assert not in_service & {n.number for n in pool}


@pytest.mark.parametrize(
    "query, keep",
    [
        (NumberQuery(ends_with="8"), lambda n: n.number.endswith("8")),
        (NumberQuery(ends_with="88"), lambda n: n.number.endswith("88")),
        (NumberQuery(contains="66"), lambda n: "66" in n.number),
        (NumberQuery(prefix="13"), lambda n: n.number.startswith("13")),
        (NumberQuery(without="4"), lambda n: "4" not in n.number),
        (NumberQuery(without="47"), lambda n: "4" not in n.number and "7" not in n.number),
        (NumberQuery(premium_only=True), lambda n: n.grade > 0),
        (NumberQuery(kind="fixed"), lambda n: n.kind == "fixed"),
        (
            NumberQuery(kind="mobile", premium_only=True, without="4"),
            lambda n: n.kind == "mobile" and n.grade > 0 and "4" not in n.number,
        ),
    ],
    ids=[
        "ends-8",
        "ends-88",
        "contains-66",
        "prefix-13",
        "without-4",
        "without-47",
        "premium",
        "fixed",
        "mobile-premium-no-4",
    ],
)
async def test_filters(legacy, query, keep):
    expected = [n for n in legacy.expected_pool() if n.status == "free" and keep(n)]
    assert expected, "the demo pool should offer some of these"
    numbers, _ = await read_pages(legacy.connector, NumberQuery(**{**query.__dict__, "limit": 25}))
    assert numbers == expected


async def test_area_and_premium_endings(legacy):
    pool = [n for n in legacy.expected_pool() if n.status == "free"]
    area = pool[0].area
    numbers, _ = await read_pages(legacy.connector, NumberQuery(area=area, kind="fixed", limit=50))
    assert numbers == [n for n in pool if n.area == area and n.kind == "fixed"] and numbers
    for tail in ("8888", "6666", "168"):
        page = await legacy.connector.free_numbers(NumberQuery(ends_with=tail, limit=200))
        assert page.numbers == [n for n in pool if n.number.endswith(tail)]
        assert all(n.premium for n in page.numbers)
    assert (await legacy.connector.free_numbers(NumberQuery(area="0999"))).numbers == []


async def test_number_status_before_reservation(legacy):
    pool = legacy.expected_pool()
    for status in ("free", "reserved", "taken"):
        number = next(n for n in pool if n.status == status)
        assert await legacy.connector.number_status(number.number) == number
    assert await legacy.connector.number_status("19999999999") is None
    assert await legacy.connector.number_status(" ") is None


def test_queries_refuse_what_is_not_digits():
    for bad in (
        {"ends_with": "8%"},
        {"contains": "_"},
        {"prefix": "13a"},
        {"without": "4,7"},
        {"after": "x"},
        {"kind": "satellite"},
        {"limit": 0},
        {"limit": 201},
    ):
        with pytest.raises(ValueError):
            NumberQuery(**bad)
