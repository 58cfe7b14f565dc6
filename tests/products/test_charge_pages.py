"""The charge run's pages: the console's runs with their results (times in the tenant's zone, both languages) and
one run's charges; the customer's charges and a pending suspension for arrears with its date on My products."""

from __future__ import annotations

import datetime as dt

from charge_support import UTC, make_boxes
from product_support import MOBILE, build

from core.legacy.ports import LegacyBalance
from core.products.charge_tables import ChargeRun
from core.products.charges import run_charges
from core.products.tables import Product
from core.products.views import accounts_of_numbers
from core.testing import add_operator


def test_operators_see_charge_runs_and_their_charges(world, clock):
    h = world.harness
    free, box = world.run(make_boxes, 2)
    world.run(lambda: Product.update({Product.monthly_fee_fen: 0}).where(Product.id == free))
    clock.set(dt.datetime(2026, 1, 31, 17, 30, tzinfo=UTC))  # 1 February 01:30 in Shanghai
    world.run(run_charges, h.hall, h.tenant("alpha"))
    run_id = world.run(lambda: ChargeRun.select().first())["id"]
    add_operator(h, "alpha", "wang", ["core.products.view"])
    o = h.client("alpha")
    o.login_operator("wang")
    page = o.get("/console/charge-runs")
    assert page.status_code == 200
    assert "2026-02-01 01:30" in page.text  # started, in the tenant's zone
    assert f'data-run="{run_id}"' in page.text
    detail = o.get(f"/console/charge-runs/{run_id}")
    assert detail.status_code == 200
    assert detail.text.count("data-charge=") == 4  # January and February, both boxes
    assert "无月租费" in detail.text and "已由计费系统收取" in detail.text  # reasons and states, translated
    only = o.get(f"/console/charge-runs/{run_id}?state=skipped")
    assert only.text.count("data-charge=") == 2
    assert o.get("/console/charge-runs/999").status_code == 404
    add_operator(h, "alpha", "nobody", [])
    nobody = h.client("alpha")
    nobody.login_operator("nobody")
    assert nobody.get("/console/charge-runs").status_code == 403
    assert nobody.get(f"/console/charge-runs/{run_id}").status_code == 403


def test_the_customer_sees_charges_and_the_date_of_a_suspension_for_arrears(hall_factory, clock):
    world = build(hall_factory, products={"charges": {"settle": "balance"}})
    h = world.harness
    account = world.run(accounts_of_numbers, [MOBILE])[0]
    world.run(make_boxes, 1, account=account, customer=world.customer)
    world.connector().balances[account] = LegacyBalance(account, 200, dt.datetime(2026, 1, 1, tzinfo=UTC), "prepaid")
    clock.set(dt.datetime(2026, 1, 20, 1, 0, tzinfo=UTC))
    world.run(run_charges, h.hall, h.tenant("alpha"))
    c = h.client("alpha")
    c.login_customer(MOBILE)
    page = c.get("/account/products")
    assert page.status_code == 200
    assert 'data-state="arrears"' in page.text and "2026-01" in page.text
    assert 'data-kind="suspend"' in page.text and "2026-01-30" in page.text  # ten days' grace, shown as a date
