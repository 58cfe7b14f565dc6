"""mirror_lines is batched: the statements it sends do not grow with the number of lines (a big tenant has millions).

Every phase - new lines, lines changing state, numbers changing hands - costs the same statements for 10 lines as
for 150, and the result is what the line-by-line mirror left (states, accounts, events)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth.tables import ServiceNumber
from core.db import piccolo_conf
from core.products.lines import mirror_lines
from core.products.tables import Product, ProductEvent

UTC = dt.timezone.utc
BUDGET = 12  # statements for one batch of up to 500 lines, whatever happens to them (and the one that finds none)


@pytest.fixture
def counted(monkeypatch):
    engine_type = type(piccolo_conf.DB)
    original = engine_type.run_querystring
    seen: list[str] = []

    async def counting(self, querystring, *args, **kwargs):
        seen.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_type, "run_querystring", counting)
    return seen


async def add_numbers(prefix: str, count: int, *, customer: str, account: str = "") -> None:
    stamp = dt.datetime(2026, 3, 1, tzinfo=UTC)
    await ServiceNumber.insert(
        *[
            ServiceNumber(
                number=f"{prefix}{n:05d}",
                customer_legacy_id=customer,
                status="active",
                synced_at=stamp,
                account_legacy_id=account if n % 2 else "",
            )
            for n in range(count)
        ]
    )


async def resync(prefix: str, *, status: str | None = None, customer: str | None = None, every: int = 3) -> None:
    """Every ``every``-th number of ``prefix`` synced again, with a new status or a new holder."""
    rows = await ServiceNumber.select().where(ServiceNumber.number.like(f"{prefix}%")).order_by(ServiceNumber.number)
    stamp = dt.datetime(2026, 3, 2, tzinfo=UTC)
    for row in rows[::every]:
        values = {ServiceNumber.synced_at: stamp}
        if status:
            values[ServiceNumber.status] = status
        if customer:
            values[ServiceNumber.customer_legacy_id] = customer
        await ServiceNumber.update(values).where(ServiceNumber.id == row["id"])


def phases(world, counted, prefix: str, count: int) -> list[int]:
    """The statements mirror_lines sent in each phase for ``count`` lines."""
    out = []

    def mirror(expected: int) -> None:
        counted.clear()
        assert world.run(mirror_lines) == expected
        out.append(len(counted))

    world.run(mirror_lines)  # the harness's own synced numbers first
    world.run(add_numbers, prefix, count, customer="CX", account="ACC")
    mirror(count)
    changed = len(range(0, count, 3))
    world.run(resync, prefix, status="suspended")
    mirror(changed)
    world.run(resync, prefix, customer="CY")
    mirror(changed)
    mirror(0)
    return out


def test_mirroring_costs_the_same_statements_for_ten_lines_or_a_hundred_and_fifty(world, counted):
    small = phases(world, counted, "1880", 10)
    large = phases(world, counted, "1881", 150)
    assert small == large, (small, large)
    assert max(large) <= BUDGET, large
    print("statements per phase", large)


def test_the_batched_mirror_leaves_what_the_line_by_line_one_did(world, counted):
    phases(world, counted, "1882", 9)
    rows = world.run(lambda: Product.select().where(Product.number.like("1882%")).order_by(Product.id))
    by_number: dict[str, list[dict]] = {}
    for row in rows:
        by_number.setdefault(row["number"], []).append(row)
    assert len(by_number) == 9
    moved = ["188200000", "188200003", "188200006"]
    for number, products in by_number.items():
        if number in moved:  # suspended for CX, then moved to CY: CX's line ended, CY's begins (suspended)
            assert [(p["customer_legacy_id"], p["state"]) for p in products] == [
                ("CX", "terminated"),
                ("CY", "suspended"),
            ]
            assert products[0]["ended_at"] is not None
        else:
            assert [(p["customer_legacy_id"], p["state"]) for p in products] == [("CX", "active")]
        odd = int(number[-1]) % 2
        assert products[-1]["account_legacy_id"] == ("ACC" if odd else number)
        assert products[-1]["mirrored_at"] is not None
    first = by_number["188200000"][0]
    events = world.run(
        lambda: ProductEvent.select().where(ProductEvent.product_id == first["id"]).order_by(ProductEvent.id)
    )
    assert [(e["from_state"], e["to_state"]) for e in events] == [
        ("", "active"),
        ("active", "suspended"),
        ("suspended", "terminated"),
    ]
    assert events[-1]["details"] == {"moved_to_another_customer": True}
