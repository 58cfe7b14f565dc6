"""A state the hall gave a synced line (a suspension for arrears, the customer's 报停) is not undone by the mirror
while the BSS has not applied it yet; once the BSS reports it, nothing moves; if the BSS still disagrees after
``BSS_APPLY_GRACE`` the BSS wins, and the event says the hall's change was not applied."""

from __future__ import annotations

import datetime as dt

from test_mirror_budget import add_numbers

from core.auth.tables import ServiceNumber
from core.products.inventory import move
from core.products.lines import BSS_APPLY_GRACE, mirror_lines
from core.products.tables import Product, ProductEvent

NUMBER = "18830000000"


async def _line() -> dict:
    return await Product.select().where(Product.number == NUMBER).first()


async def _synced(status: str, at: dt.datetime) -> None:
    await ServiceNumber.update({ServiceNumber.status: status, ServiceNumber.synced_at: at}).where(
        ServiceNumber.number == NUMBER
    )


async def _events() -> list[tuple[str, str, str]]:
    line = await _line()
    rows = await ProductEvent.select().where(ProductEvent.product_id == line["id"]).order_by(ProductEvent.id)
    return [(r["action"], r["from_state"], r["to_state"]) for r in rows]


def test_the_mirror_waits_for_the_bss_to_apply_a_hall_made_suspension(world, clock):
    world.run(mirror_lines)
    world.run(add_numbers, "188300", 1, customer="CX", account="ACC")
    world.run(mirror_lines)
    assert world.run(_line)["state"] == "active"

    clock.advance(hours=1)
    world.run(lambda: _suspend())
    clock.advance(hours=1)
    world.run(_synced, "active", clock.moment)  # a sync before the BSS's interface program applied it
    world.run(mirror_lines)
    assert world.run(_line)["state"] == "suspended"

    clock.advance(hours=2)
    world.run(_synced, "suspended", clock.moment)  # applied: the BSS agrees
    world.run(mirror_lines)
    assert world.run(_line)["state"] == "suspended"
    assert world.run(_events) == [("mirror", "", "active"), ("suspend", "active", "suspended")]


def test_the_bss_wins_when_it_never_applies_the_change(world, clock):
    world.run(mirror_lines)
    world.run(add_numbers, "188300", 1, customer="CX", account="ACC")
    world.run(mirror_lines)
    world.run(lambda: _suspend())
    clock.advance(hours=1)
    world.run(_synced, "active", clock.moment)
    world.run(mirror_lines)
    assert world.run(_line)["state"] == "suspended"

    clock.advance(seconds=BSS_APPLY_GRACE.total_seconds())
    world.run(_synced, "active", clock.moment)
    world.run(mirror_lines)
    line = world.run(_line)
    assert line["state"] == "active"
    last = world.run(
        lambda: (
            ProductEvent.select()
            .where(ProductEvent.product_id == line["id"])
            .order_by(ProductEvent.id, ascending=False)
            .first()
        )
    )
    assert (last["action"], last["to_state"]) == ("mirror", "active") and last["details"]["hall_change_not_applied"]


def test_a_bss_change_of_a_line_the_hall_did_not_touch_is_mirrored_at_once(world, clock):
    world.run(mirror_lines)
    world.run(add_numbers, "188300", 1, customer="CX", account="ACC")
    world.run(mirror_lines)
    clock.advance(hours=1)
    world.run(_synced, "suspended", clock.moment)
    world.run(mirror_lines)
    assert world.run(_line)["state"] == "suspended"


async def _suspend() -> None:
    await move(await _line(), "suspended", "suspend", actor_kind="system")
