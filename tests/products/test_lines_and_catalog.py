"""Synced lines appear as products (mirrored set-based, following the BSS's state and holder, idempotent), their
tariffs read live; the catalog from tenant.toml, plugins and the BSS; broken declarations reported by hall check."""

from __future__ import annotations

import dataclasses

import pytest
from product_support import FIXED, MOBILE, OTHER, SECOND, build

from core.auth.tables import ServiceNumber
from core.config import ConfigError
from core.products.catalog import LegacyTariff, catalog
from core.products.lines import mirror_lines
from core.products.tables import Product, ProductEvent
from core.testing import TenantSpec, sync


def products(world, tenant="alpha"):
    return world.run(lambda: Product.select().order_by(Product.number).order_by(Product.id), tenant=tenant)


def test_every_synced_number_becomes_a_line_product_once(world):
    assert world.run(mirror_lines) == 4  # the customer's three numbers and the other customer's one
    rows = products(world)
    assert [(p["number"], p["state"], p["source"], p["account_legacy_id"]) for p in rows] == [
        (FIXED, "active", "synced", FIXED),
        (MOBILE, "active", "synced", MOBILE),
        (SECOND, "active", "synced", SECOND),
        (OTHER, "active", "synced", OTHER),
    ]
    assert world.run(mirror_lines) == 0  # nothing changed: nothing to do
    assert products(world, "beta") == []  # beta's own job mirrors beta's numbers


def test_the_mirror_follows_the_bss_state_and_a_number_changing_hands(world):
    world.run(mirror_lines)
    conn = world.connector()
    person = next(c for c in conn.customers if c.legacy_id == world.customer)
    numbers = tuple(dataclasses.replace(n, status="suspended") if n.number == MOBILE else n for n in person.numbers)
    conn.touch(world.customer, numbers=numbers)
    sync(world.harness, "alpha")
    assert world.run(mirror_lines) == 1
    mobile = next(p for p in products(world) if p["number"] == MOBILE)
    assert mobile["state"] == "suspended"
    events = world.run(
        lambda: ProductEvent.select().where(ProductEvent.product_id == mobile["id"]).order_by(ProductEvent.id)
    )
    assert [(e["action"], e["from_state"], e["to_state"]) for e in events][-1] == ("mirror", "active", "suspended")

    # the other customer's number goes to our customer: the old holder's line ends, a new product begins
    other = next(c for c in conn.customers if c.legacy_id != world.customer)
    conn.touch(other.legacy_id, numbers=())
    conn.touch(world.customer, numbers=(*numbers, dataclasses.replace(other.numbers[0])))
    sync(world.harness, "alpha")
    world.run(mirror_lines)
    held = [(p["customer_legacy_id"], p["state"]) for p in products(world) if p["number"] == OTHER]
    assert held == [(other.legacy_id, "terminated"), (world.customer, "active")]


def test_tariffs_are_read_live_and_matched_to_the_catalog(world):
    from core.products.api import offers_for, products_on_numbers

    h = world.harness
    rows = world.run(products_on_numbers, h.hall, h.tenant("alpha"), world.customer, [MOBILE, SECOND, FIXED])
    assert {p["number"]: (p["offering_code"], p["legacy_code"], p["monthly_fee_fen"]) for p in rows} == {
        MOBILE: ("m58", "T58", 5800),
        SECOND: ("m19", "T19", 1900),
        FIXED: ("f25", "F25", 2500),
    }
    assert "lines_of:" + world.customer in world.connector().calls  # one look-up for the customer's lines
    calls = len(world.connector().calls)
    world.run(products_on_numbers, h.hall, h.tenant("alpha"), world.customer, [MOBILE])
    assert len(world.connector().calls) == calls  # fresh for an hour: not asked again
    world.connector().lines[MOBILE] = dataclasses.replace(
        world.connector().lines[MOBILE], tariff_code="T999", tariff_name="BSS T999", monthly_fee_fen=100
    )
    world.connector().down = True
    rows = world.run(products_on_numbers, h.hall, h.tenant("alpha"), world.customer, [MOBILE], fresh=True)
    assert rows[0]["legacy_code"] == "T58"  # the BSS is away: what was read stays
    world.connector().down = False
    rows = world.run(products_on_numbers, h.hall, h.tenant("alpha"), world.customer, [MOBILE], fresh=True)
    assert (rows[0]["offering_code"], rows[0]["legacy_code"], rows[0]["name"]) == ("", "T999", "BSS T999")
    # a plan the catalog does not know: no family to choose from, so nothing is offered
    assert world.run(offers_for, h.hall, h.tenant("alpha"), world.customer, rows[0]["id"]) == []


def test_the_catalog_merges_tenant_toml_plugins_and_the_bss(hall_factory):
    world = build(hall_factory, products={"connector_catalog": True})
    h = world.harness

    async def tariffs():
        return [
            LegacyTariff("T58", "BSS 58", 5800),
            LegacyTariff("T7", "Old plan", 700, "phone"),
            LegacyTariff("X", "", problem="bad"),
        ]

    world.connector().tariffs = tariffs
    cat = world.run(catalog, h.hall, h.tenant("alpha"))
    assert {o.code: o.source for o in cat.offerings.values()} == {
        "m58": "config",
        "m88": "config",
        "m19": "config",
        "m128": "config",
        "f25": "config",
        "box.basic": "plugin",
        "box.paid": "plugin",
        "bss:t7": "connector",  # T58 is listed by tenant.toml already; X could not be read
    }
    old = cat.get("bss:t7")
    assert (old.orderable, old.legacy_code, old.monthly_fee_fen) == (False, "T7", 700)
    assert cat.get("m58").display_name("en") == "Talk 58" and cat.get("m58").display_name("zh_CN") == "畅聊套餐58元"
    assert [o.code for o in cat.orderable("line")] == ["f25", "m19", "m58", "m88", "m128"]


@pytest.mark.parametrize(
    "offerings, problem",
    [
        (
            [{"code": "a", "name": "A", "specification": "hovercraft"}],
            "no installed plugin declares specification 'hovercraft'",
        ),
        ([{"code": "box.basic", "name": "A", "specification": "box"}], "offering 'box.basic' is declared twice"),
        ([{"code": "a", "name": "A"}, {"code": "a", "name": "B"}], "offering code 'a' is used twice"),
        ([{"code": "A!", "name": "A"}], "lower case letters"),
        ([{"code": "a", "name": {"fr": "A"}}], "languages are zh_CN and en"),
        ([{"code": "a", "name": "A", "monthly_fee_fen": -1}], "greater than or equal to 0"),
    ],
)
def test_broken_offerings_are_configuration_problems(hall_factory, offerings, problem):
    from product_support import LineConnectorPlugin, make_plugin

    with pytest.raises(ConfigError) as exc:
        hall_factory(
            [
                TenantSpec(
                    "alpha", plugins=["testprod"], connector={"type": "linefake"}, products={"offerings": offerings}
                )
            ],
            extra_plugins={"linefake": LineConnectorPlugin(), "testprod": make_plugin([], {})},
        )
    assert problem in str(exc.value)


def test_a_plugins_specification_needs_its_plugin_enabled(hall_factory):
    from product_support import LineConnectorPlugin, make_plugin

    with pytest.raises(ConfigError) as exc:
        hall_factory(
            [
                TenantSpec(
                    "alpha",
                    plugins=[],
                    connector={"type": "linefake"},
                    products={"offerings": [{"code": "b", "name": "B", "specification": "box"}]},
                )
            ],
            extra_plugins={"linefake": LineConnectorPlugin(), "testprod": make_plugin([], {})},
        )
    assert "which this tenant does not enable" in str(exc.value)


def test_service_numbers_without_accounts_are_their_own_account(world):
    world.run(
        lambda: ServiceNumber.update({ServiceNumber.account_legacy_id: "ACC-1"}).where(ServiceNumber.number == SECOND)
    )
    world.run(mirror_lines)
    accounts = {p["number"]: p["account_legacy_id"] for p in products(world)}
    assert accounts[SECOND] == "ACC-1" and accounts[MOBILE] == MOBILE
