"""When changes take effect (next month in the tenant's zone, across month and year ends and daylight saving), the
BSS's confirmation read back, and what the charge run will read (fees in effect per period)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from product_support import MOBILE, build

from core.products import changes, lifecycle
from core.products.api import products_on_numbers
from core.products.charging import chargeable, fee_at
from core.products.dates import effective_at, month_start, period_of
from core.products.orders import OrderItem, get_order, place_order
from core.products.readback import read_back
from core.products.tables import Product, ProductChange
from core.workorders import Actor, transition

UTC = dt.timezone.utc


class Zone:
    def __init__(self, name):
        self.timezone = name


@pytest.mark.parametrize(
    "now, zone, expected",
    [
        # 1 February 01:00 in Shanghai is still 31 January in UTC: next month is March there, February in UTC
        (dt.datetime(2026, 1, 31, 17, 0, tzinfo=UTC), "Asia/Shanghai", dt.datetime(2026, 2, 28, 16, 0, tzinfo=UTC)),
        (dt.datetime(2026, 1, 31, 17, 0, tzinfo=UTC), "UTC", dt.datetime(2026, 2, 1, 0, 0, tzinfo=UTC)),
        (dt.datetime(2026, 1, 31, 15, 59, tzinfo=UTC), "Asia/Shanghai", dt.datetime(2026, 1, 31, 16, 0, tzinfo=UTC)),
        # the year turns
        (dt.datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "UTC", dt.datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
        (dt.datetime(2026, 12, 31, 16, 0, tzinfo=UTC), "Asia/Shanghai", dt.datetime(2027, 1, 31, 16, 0, tzinfo=UTC)),
        # a leap year's February, and a zone behind UTC with daylight saving (EST in March, EDT in April)
        (dt.datetime(2028, 2, 29, 12, 0, tzinfo=UTC), "America/New_York", dt.datetime(2028, 3, 1, 5, 0, tzinfo=UTC)),
        (dt.datetime(2026, 3, 15, 12, 0, tzinfo=UTC), "America/New_York", dt.datetime(2026, 4, 1, 4, 0, tzinfo=UTC)),
        (dt.datetime(2026, 4, 1, 3, 30, tzinfo=UTC), "America/New_York", dt.datetime(2026, 4, 1, 4, 0, tzinfo=UTC)),
    ],
)
def test_next_month_starts_in_the_tenants_zone(now, zone, expected):
    assert effective_at("next_month", now, Zone(zone)) == expected
    assert effective_at("immediate", now, Zone(zone)) == now
    start = month_start(expected, zoneinfo.ZoneInfo(zone))
    assert start == expected  # the first instant of its own month, in that zone


def test_a_charge_period_is_a_calendar_month_of_the_tenant():
    start, end = period_of(dt.datetime(2026, 3, 1, 15, 0, tzinfo=UTC), Zone("Asia/Shanghai"))
    assert (start, end) == (dt.datetime(2026, 2, 28, 16, 0, tzinfo=UTC), dt.datetime(2026, 3, 31, 16, 0, tzinfo=UTC))


def test_a_tenant_in_another_zone_books_its_own_next_month(hall_factory, clock):
    world = build(hall_factory, timezone="America/New_York")
    clock.set(dt.datetime(2026, 5, 1, 2, 0, tzinfo=UTC))  # still 30 April in New York
    product = world.run(
        products_on_numbers, world.harness.hall, world.harness.tenant("alpha"), world.customer, [MOBILE]
    )[0]
    order = world.run(
        place_order,
        world.harness.hall,
        customer_id=world.customer,
        items=[OrderItem("modify", offering="m88", product_id=product["id"])],
        request_key="tz",
        title="t",
    )
    item_change = world.run(lambda: ProductChange.select().where(ProductChange.order_id == order["id"]).first())
    assert item_change["effective_at"] == dt.datetime(2026, 5, 1, 4, 0, tzinfo=UTC)  # 1 May 00:00 EDT


def test_the_bss_confirms_or_refuses_orders_read_back(world):
    h = world.harness
    tenant = h.tenant("alpha")
    lines = world.run(products_on_numbers, h.hall, tenant, world.customer, [MOBILE, "13900000002"])
    orders = [
        world.run(
            place_order,
            h.hall,
            customer_id=world.customer,
            items=[OrderItem("modify", offering="m88" if i == 0 else "m58", product_id=p["id"])],
            request_key=f"rb{i}",
            title="t",
            process="testprod.change",
        )
        for i, p in enumerate(lines)
    ]
    assert world.run(read_back, h.hall, tenant) == 0
    world.connector().order_states = {
        orders[0]["number"]: ("completed", ""),
        orders[1]["number"]: ("failed", "Contract number blocked"),
    }
    assert world.run(read_back, h.hall, tenant) == 2
    assert world.run(read_back, h.hall, tenant) == 0  # done once
    world.run(lifecycle.run_pending, h.hall, tenant)
    first, second = (world.run(get_order, o["id"]) for o in orders)
    assert first["state"] == "completed"
    assert (second["state"], second["note"]) == ("failed", "Contract number blocked")
    world.connector().down = True
    assert world.run(read_back, h.hall, tenant) == 0  # the BSS away: nothing happens, asked again next time


def test_the_charge_run_sees_hall_charged_products_at_the_fee_in_effect(world, clock):
    h = world.harness
    tenant = h.tenant("alpha")
    clock.set(dt.datetime(2026, 1, 10, 4, 0, tzinfo=UTC))
    order = world.run(
        place_order,
        h.hall,
        customer_id=world.customer,
        items=[OrderItem("add", offering="box.basic", number=MOBILE)],
        request_key="box",
        title="box",
    )
    world.run(lifecycle.run_pending, h.hall, tenant)
    assert world.run(get_order, order["id"])["state"] == "completed"
    box = world.run(lambda: Product.select().where(Product.specification == "box").first())
    # a price change of the box, booked for 1 February (Shanghai), applied by the job when it comes
    world.run(
        changes.schedule,
        box["id"],
        "offering",
        dt.datetime(2026, 1, 31, 16, 0, tzinfo=UTC),
        {"offering_code": "box.basic", "monthly_fee_fen": 1500, "from_monthly_fee_fen": 1000},
    )
    clock.set(dt.datetime(2026, 2, 3, 0, 0, tzinfo=UTC))
    world.run(changes.apply_due, h.hall, tenant)
    january = period_of(dt.datetime(2026, 1, 15, tzinfo=UTC), tenant)
    february = period_of(dt.datetime(2026, 2, 15, tzinfo=UTC), tenant)
    due_jan = world.run(chargeable, *january)
    due_feb = world.run(chargeable, *february)
    assert [(p["id"], p["fee_fen"]) for p in due_jan] == [(box["id"], 1000)]
    assert [(p["id"], p["fee_fen"]) for p in due_feb] == [(box["id"], 1500)]
    box = world.run(lambda: Product.select().where(Product.id == box["id"]).first())
    assert world.run(fee_at, box, dt.datetime(2026, 1, 20, tzinfo=UTC)) == 1000
    # lines are the BSS's to bill: never in the charge run
    assert all(p["specification"] == "box" for p in due_jan + due_feb)
    assert world.run(chargeable, *january, account="nobody") == []
    # a product that ended in February is still there for February, not for March
    world.run(lifecycle.act, h.hall, tenant, box["id"], "terminate", key="end")
    march = period_of(dt.datetime(2026, 3, 15, tzinfo=UTC), tenant)
    assert [p["id"] for p in world.run(chargeable, *february)] == [box["id"]]
    assert world.run(chargeable, *march) == []


def test_an_operator_completing_late_applies_a_change_already_due(world, clock):
    h = world.harness
    clock.set(dt.datetime(2026, 1, 31, 15, 0, tzinfo=UTC))  # 31 January 23:00 in Shanghai: due 1 February
    product = world.run(products_on_numbers, h.hall, h.tenant("alpha"), world.customer, [MOBILE])[0]
    order = world.run(
        place_order,
        h.hall,
        customer_id=world.customer,
        items=[OrderItem("modify", offering="m88", product_id=product["id"])],
        request_key="late",
        title="t",
        process="testprod.change",
    )
    clock.set(dt.datetime(2026, 2, 2, 2, 0, tzinfo=UTC))
    world.run(
        transition,
        h.hall,
        order["workorder_id"],
        "finish_confirm",
        Actor("operator", None, "Wang", frozenset(), superuser=True),
    )
    assert world.run(lambda: Product.select().where(Product.id == product["id"]).first())["offering_code"] == "m88"
    assert world.run(lambda: ProductChange.select().first())["state"] == "applied"
