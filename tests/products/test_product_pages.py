"""The pages: the customer's products and orders (pending changes dated in the tenant's zone, cancel), the console's
orders by state and type, steps, retries and giving up, product search per account; permissions and tenants."""

from __future__ import annotations

import datetime as dt
import re

from product_support import MOBILE, SECOND

from core.audit import AuditLog
from core.products.api import products_on_numbers
from core.products.orders import OrderItem, get_order, place_order
from core.products.tables import LifecycleRequest
from core.testing import add_operator, make_customer, register_customer

UTC = dt.timezone.utc
HANDLER = ["core.products.view", "core.products.handle", "core.workorders.handle"]


def plan_change(world, number=MOBILE, offering="m88", key="k1", process="testprod.change"):
    h = world.harness
    product = world.run(products_on_numbers, h.hall, h.tenant("alpha"), world.customer, [number])[0]
    return world.run(
        place_order,
        h.hall,
        customer_id=world.customer,
        items=[OrderItem("modify", offering=offering, product_id=product["id"])],
        request_key=key,
        title=f"Plan change of {number}",
        process=process,
        customer_account_id=world.account,
    )


def test_the_customer_sees_the_pending_change_and_follows_the_order(world, clock):
    clock.set(dt.datetime(2026, 1, 31, 17, 0, tzinfo=UTC))  # 1 February in Shanghai: next month is March
    order = plan_change(world)
    c = world.harness.client("alpha")
    c.login_customer(MOBILE)
    page = c.get("/account/products")
    assert page.status_code == 200
    change = re.search(r'class="notice warning pending-change"[^>]*>(.*?)</p>', page.text, re.S).group(1)
    assert "2026-03-01" in change and "畅聊套餐88元" in change
    assert f'href="/account/product-orders/{order["id"]}"' in page.text
    detail = c.get(f"/account/product-orders/{order['id']}")
    assert detail.status_code == 200 and "cancel-order" in detail.text
    assert 'data-code="placed"' in detail.text
    r = c.post(f"/account/product-orders/{order['id']}/cancel")
    assert r.status_code == 303
    assert world.run(get_order, order["id"])["state"] == "cancelled"
    assert "pending-change" not in c.get("/account/products").text
    listed = c.get("/account/product-orders")
    assert order["number"] in listed.text


def test_customers_see_only_their_own_orders(world):
    order = plan_change(world)
    stranger = make_customer(5, numbers=("13900000055",))
    register_customer(world.harness, "alpha", stranger)
    c = world.harness.client("alpha")
    c.login_customer("13900000055")
    assert c.get(f"/account/product-orders/{order['id']}").status_code == 404
    assert c.post(f"/account/product-orders/{order['id']}/cancel").status_code == 404
    assert c.post(f"/account/product-orders/{order['id']}/pay").status_code == 404
    assert world.run(get_order, order["id"])["state"] == "acknowledged"
    assert MOBILE not in c.get("/account/products").text


def test_the_console_lists_orders_by_state_and_type_and_carries_one_out(world):
    h = world.harness
    add_operator(h, "alpha", "wang", HANDLER)
    first = plan_change(world)
    second = plan_change(world, SECOND, "m58", key="k2")
    o = h.client("alpha")
    o.login_operator("wang")
    listed = o.get("/console/product-orders?type=testprod.change&state=acknowledged")
    assert first["number"] in listed.text and second["number"] in listed.text
    assert first["number"] not in o.get("/console/product-orders?state=completed").text
    found = o.get("/console/product-orders", params={"q": first["number"]})
    assert first["number"] in found.text and second["number"] not in found.text

    page = o.get(f"/console/product-orders/{first['id']}")
    assert 'value="finish_confirm"' in page.text and 'value="reject"' in page.text
    r = o.post(f"/console/product-orders/{first['id']}/step", {"action": "finish_confirm"})
    assert r.status_code == 303
    assert world.run(get_order, first["id"])["state"] == "completed"
    audit = world.run(lambda: AuditLog.select().where(AuditLog.action == "product_order.step").first())
    assert audit is not None and audit["object_id"] == str(first["id"])
    refused = o.post(f"/console/product-orders/{second['id']}/step", {"action": "reject"})
    assert refused.status_code == 400  # a rejection needs a note for the customer
    r = o.post(f"/console/product-orders/{second['id']}/fail", {"note": "Blocked by contract."})
    assert r.status_code == 303
    assert world.run(get_order, second["id"])["state"] == "failed"
    assert o.get("/console/product-orders?state=failed").text.count('data-order="') == 1


def test_a_failed_step_shows_its_reason_and_is_retried_from_the_console(world):
    h = world.harness
    add_operator(h, "alpha", "wang", HANDLER)
    world.fail["provision"] = "RADIUS: timed out"
    order = world.run(
        place_order,
        h.hall,
        customer_id=world.customer,
        items=[OrderItem("add", offering="box.basic", number=MOBILE)],
        request_key="box",
        title="A box",
    )
    assert world.run(get_order, order["id"])["state"] == "held"
    o = h.client("alpha")
    o.login_operator("wang")
    page = o.get(f"/console/product-orders/{order['id']}")
    assert "RADIUS: timed out" in page.text and "retry-request" in page.text
    assert "RADIUS: timed out" in o.get("/console/products?problems=1").text
    req = world.run(lambda: LifecycleRequest.select().first())
    del world.fail["provision"]
    r = o.post(f"/console/product-requests/{req['id']}/retry")
    assert r.status_code == 303 and r.headers["location"].endswith(f"/console/product-orders/{order['id']}")
    assert world.run(get_order, order["id"])["state"] == "completed"
    assert "retry-request" not in o.get(f"/console/product-orders/{order['id']}").text
    assert world.run(lambda: AuditLog.count().where(AuditLog.action == "product.retry")) == 1


def test_products_are_searched_per_account_number_or_customer(world, clock):
    clock.set(dt.datetime(2026, 3, 14, 2, 0, tzinfo=UTC))
    h = world.harness
    add_operator(h, "alpha", "li", ["core.products.view"])
    plan_change(world)
    o = h.client("alpha")
    o.login_operator("li")
    assert "Search by account" in o.get("/console/products").text or "按账户" in o.get("/console/products").text
    by_account = o.get("/console/products", params={"q": MOBILE})
    assert by_account.text.count('data-product="') == 1 and "2026-04-01" in by_account.text  # the booked change
    by_customer = o.get("/console/products", params={"q": world.customer})
    assert by_customer.text.count('data-product="') == 3
    product_id = re.search(r'data-product="(\d+)"', by_account.text).group(1)
    assert o.get(f"/console/products/{product_id}").status_code == 200


def test_operators_need_the_permissions_and_stay_in_their_tenant(world):
    h = world.harness
    order = plan_change(world)
    add_operator(h, "alpha", "viewer", ["core.products.view"])
    add_operator(h, "alpha", "nobody", ["core.audit.view"])
    add_operator(h, "beta", "wang", HANDLER)
    viewer = h.client("alpha")
    viewer.login_operator("viewer")
    assert viewer.get(f"/console/product-orders/{order['id']}").status_code == 200
    assert viewer.post(f"/console/product-orders/{order['id']}/step", {"action": "finish_confirm"}).status_code == 403
    assert viewer.post(f"/console/product-orders/{order['id']}/fail", {"note": "x"}).status_code == 403
    nobody = h.client("alpha")
    nobody.login_operator("nobody")
    assert nobody.get("/console/product-orders").status_code == 403
    assert nobody.get("/console/products?q=x").status_code == 403
    other = h.client("beta")
    other.login_operator("wang")
    assert other.get(f"/console/product-orders/{order['id']}").status_code == 404
    assert other.post(f"/console/product-orders/{order['id']}/fail", {"note": "x"}).status_code in (404, 409)
    assert world.run(get_order, order["id"])["state"] == "acknowledged"


def test_the_customer_view_has_a_products_section(world):
    h = world.harness
    plan_change(world)
    add_operator(h, "alpha", "desk", ["core.customers.view", "core.products.view"])
    o = h.client("alpha")
    o.login_operator("desk")
    page = o.get(f"/console/customers/{world.customer}")
    assert page.status_code == 200 and "customer-products" in page.text and MOBILE in page.text


def test_the_console_home_counts_open_orders_by_state(world):
    h = world.harness
    plan_change(world)
    world.fail["provision"] = "down"
    world.run(
        place_order,
        h.hall,
        customer_id=world.customer,
        items=[OrderItem("add", offering="box.basic", number=MOBILE)],
        request_key="box",
        title="A box",
    )
    add_operator(h, "alpha", "li", ["core.products.view"])
    add_operator(h, "alpha", "other", ["core.audit.view"])
    o = h.client("alpha")
    o.login_operator("li")
    home = o.get("/console")
    assert re.search(r'data-state="held">1<', home.text) and re.search(r'data-state="acknowledged">1<', home.text)
    p = h.client("alpha")
    p.login_operator("other")
    assert "product-orders-panel" not in p.get("/console").text
