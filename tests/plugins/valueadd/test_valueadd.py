"""The valueadd plugin: a customer adds caller ID (来电显示) to a line in the browser's forms, the hall's charge run
debits its monthly fee from the balance (shown on My products and in the console's charge runs), and the customer
ends it at the month's end. One order per form, never on another customer's number."""

from __future__ import annotations

import datetime as dt
import re

from product_support import MOBILE, OTHER

from core.api.testing import check_plugin
from core.legacy.balances import forget_balance
from core.legacy.ports import LegacyBalance
from core.products.charges import run_charges
from core.products.tables import Product, ProductOrder

UTC = dt.timezone.utc


def customer(world):
    c = world.harness.client("alpha")
    c.login_customer(MOBILE)
    return c


def token_of(page) -> str:
    return re.search(r'name="token" value="([^"]+)"', page.text).group(1)


def features(world):
    return world.run(lambda: Product.select().where(Product.specification == "valueadd").order_by(Product.id))


def test_a_customer_adds_caller_id_and_the_hall_charges_it_from_the_balance(world, clock):
    clock.set(dt.datetime(2026, 6, 10, 2, 0, tzinfo=UTC))
    c = customer(world)
    page = c.get("/valueadd/")
    assert page.status_code == 200
    assert re.findall(r'class="card valueadd-line" data-number="(\d+)"', page.text) == [
        "057188880001",
        MOBILE,
        "13900000002",
    ]
    assert "来电显示" in page.text and "未开通" in page.text and "6.00" in page.text
    form = {"number": MOBILE, "offering": "caller-id", "action": "add", "token": token_of(page)}
    r = c.post("/valueadd/order", form)
    assert r.status_code == 303 and "/account/product-orders/" in r.headers["location"]
    assert c.post("/valueadd/order", form).headers["location"] == r.headers["location"]  # the same form twice
    assert world.run(lambda: ProductOrder.count()) == 1
    (feature,) = features(world)
    assert (feature["number"], feature["state"], feature["charged_by"], feature["monthly_fee_fen"]) == (
        MOBILE,
        "active",
        "hall",
        600,
    )
    # the hall's charge run takes June's fee from the line's balance
    world.connector().balances[MOBILE] = LegacyBalance(MOBILE, 5000, dt.datetime(2026, 6, 1, tzinfo=UTC), "prepaid")
    world.run(forget_balance, MOBILE)
    h = world.harness
    result = world.run(run_charges, h.hall, h.tenant("alpha"))
    assert result["charged"] == 1
    mine = c.get("/account/products")
    assert "来电显示" in mine.text and "2026-06" in mine.text and "6.00" in mine.text
    page = c.get("/valueadd/")
    assert "end-service" in page.text and "add-service" in page.text  # on for one line, still to add on the others
    # ending it: booked for the month's end, shown until then
    r = c.post("/valueadd/order", {"number": MOBILE, "offering": "caller-id", "action": "end", "token": token_of(page)})
    assert r.status_code == 303
    page = c.get("/valueadd/")
    assert "本月底取消" in page.text
    assert world.run(lambda: ProductOrder.count()) == 2


def test_another_customers_number_and_a_made_up_service_are_refused_beside_the_list(world):
    c = customer(world)
    token = token_of(c.get("/valueadd/"))
    for number, offering in ((OTHER, "caller-id"), (MOBILE, "no-such")):
        r = c.post("/valueadd/order", {"number": number, "offering": offering, "action": "add", "token": token})
        assert r.status_code == 400 and "请从下列业务中选择" in r.text
    assert features(world) == []


def test_the_plugin_follows_the_rules():
    assert check_plugin("valueadd") == []
