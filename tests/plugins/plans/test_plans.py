"""The plans plugin: a customer changes the plan of a line in the browser's forms, with the reasons a plan cannot be
chosen, the date it takes effect, one order per confirmation, a payment when the plan asks for a prepayment."""

from __future__ import annotations

import datetime as dt
import re

from product_support import MOBILE, OTHER, SECOND

from core.api.testing import check_plugin
from core.legacy.ports import PoolNumber
from core.products.tables import ProductChange, ProductOrder

UTC = dt.timezone.utc


def customer(world):
    c = world.harness.client("alpha")
    c.login_customer(MOBILE)
    return c


def confirm(c, number, offering):
    page = c.get(f"/plans/{number}/confirm", params={"offering": offering})
    assert page.status_code == 200, page.text[:500]
    return page, re.search(r'name="token" value="([^"]+)"', page.text).group(1)


def test_a_customer_changes_plan_from_next_month(world, clock):
    clock.set(dt.datetime(2026, 6, 30, 16, 30, tzinfo=UTC))  # 1 July 00:30 in Shanghai
    c = customer(world)
    index = c.get("/plans/")
    assert index.status_code == 200
    assert [m for m in re.findall(r'data-number="(\d+)"', index.text)] == ["057188880001", MOBILE, SECOND]
    assert "畅聊套餐58元" in index.text
    choose = c.get(f"/plans/{MOBILE}")
    offered = re.findall(r'data-offering="([\w.-]+)"', choose.text)
    assert offered == ["m19", "m88", "m128"]  # the same family, not the current plan, cheapest first
    assert "2026-08-01" in choose.text  # next month where the tenant is, not in UTC
    page, token = confirm(c, MOBILE, "m88")
    assert re.search(r'class="mono effective-date">2026-08-01<', page.text)
    r = c.post(f"/plans/{MOBILE}/order", {"offering": "m88", "token": token})
    assert r.status_code == 303 and "/account/product-orders/" in r.headers["location"]
    again = c.post(f"/plans/{MOBILE}/order", {"offering": "m88", "token": token})  # the same confirmation again
    assert again.status_code == 303 and again.headers["location"] == r.headers["location"]
    assert world.run(lambda: ProductOrder.count()) == 1
    order = world.run(lambda: ProductOrder.select().first())
    assert (order["process"], order["state"], order["title"]) == (
        "plans.change",
        "acknowledged",
        f"{MOBILE} 套餐变更为 畅聊套餐88元",
    )
    products = c.get("/account/products")
    assert "2026-08-01" in products.text and "畅聊套餐88元" in products.text
    choose = c.get(f"/plans/{MOBILE}")
    assert choose.text.count("choose-offering") == 0  # a change is under way: nothing more to choose


def test_plans_that_cannot_be_chosen_say_why(world):
    world.connector().pool[MOBILE] = PoolNumber(MOBILE, "mobile", "0571", grade=2, min_spend_fen=5800, status="taken")
    c = customer(world)
    choose = c.get(f"/plans/{MOBILE}")
    student = re.search(r'data-offering="m19">(.*?)</section>', choose.text, re.S).group(1)
    assert "not-eligible" in student and "58.00" in student and "choose-offering" not in student
    refused = c.get(f"/plans/{MOBILE}/confirm", params={"offering": "m19"})
    assert refused.status_code == 400 and 'class="refused"' in refused.text
    r = c.post(f"/plans/{MOBILE}/order", {"offering": "m19", "token": "forged"})
    assert r.status_code == 400
    assert c.get(f"/plans/{MOBILE}/confirm", params={"offering": "f25"}).status_code == 400  # not for this line
    assert world.run(lambda: ProductOrder.count()) == 0


def test_a_plan_with_a_prepayment_goes_through_the_payment_step(world):
    c = customer(world)
    page, token = confirm(c, MOBILE, "m128")
    assert "¥120.00" in page.text  # 20 yuan fee... and 100 prepaid: what is paid on confirming
    r = c.post(f"/plans/{MOBILE}/order", {"offering": "m128", "token": token})
    order_page = c.get(r.headers["location"])
    assert "pay-order" in order_page.text
    order = world.run(lambda: ProductOrder.select().first())
    assert (order["state"], order["amount_fen"]) == ("pending", 12000)
    pay = c.post(f"/account/product-orders/{order['id']}/pay")
    assert pay.status_code == 303 and pay.headers["location"].startswith("https://fakepay.test/")


def test_only_the_customers_own_lines_and_only_where_the_plugin_is_on(world):
    c = customer(world)
    assert c.get(f"/plans/{OTHER}").status_code == 404
    assert c.get("/plans/not-a-number").status_code == 404
    assert c.post(f"/plans/{OTHER}/order", {"offering": "m88", "token": "t"}).status_code == 404
    beta = world.harness.client("beta")
    beta.login_customer(MOBILE)
    assert beta.get("/plans/").status_code == 404
    assert world.run(lambda: ProductChange.count()) == 0


def test_the_plugin_follows_the_rules_for_plugins():
    assert check_plugin("plans") == []
