"""Number selection and installation in the browser's forms: filters, grades, holds (one per number, expiry,
limits), the application's field errors, and the order through payment and the back-office steps."""

from __future__ import annotations

import re

from product_support import MOBILE

from core.api.legacy import OutboxEvent
from core.api.products import ProductOrder
from plugins.phone.tables import NumberHold


def customer(world, login=MOBILE):
    c = world.harness.client("alpha")
    c.login_customer(login)
    return c


def numbers_on(page) -> list[str]:
    return re.findall(r'class="pool-number" data-number="(\d+)"', page.text)


def test_filters_and_grades(world):
    c = world.harness.client("alpha")  # a visitor may search
    page = c.get("/phone/numbers")
    assert page.status_code == 200
    assert numbers_on(page) == ["13911110000", "13911110168", "13911112222", "13911113333"]  # a page of 4
    assert "More numbers" in page.text or "更多号码" in page.text
    assert numbers_on(c.get("/phone/numbers", params={"grade": "A"})) == [
        "13911110000",
        "13911112222",
        "13911113333",
        "13911114444",
    ]
    assert numbers_on(c.get("/phone/numbers", params={"grade": "C", "without": "5"})) == ["13911110168"]
    assert numbers_on(c.get("/phone/numbers", params={"ends_with": "888"})) == ["13911115888", "13911118888"]
    assert "log-in-to-hold" in page.text and "hold-number" not in page.text  # a visitor logs in to hold one
    bad = c.get("/phone/numbers", params={"contains": "8x"})
    assert bad.status_code == 400 and 'id="contains-error"' in bad.text


def test_searches_are_rate_limited(world):
    c = world.harness.client("alpha")
    for _ in range(5):
        assert c.get("/phone/numbers").status_code == 200
    assert c.get("/phone/numbers").status_code == 429


def test_hold_one_number_once_expiry_and_sweep(world, clock):
    a, b = customer(world), customer(world, "13900000009")
    r = a.post("/phone/numbers", {"number": "13911112222"})
    assert r.status_code == 303 and r.headers["location"].endswith("/phone/apply")
    taken = b.post("/phone/numbers", {"number": "13911112222"})
    assert taken.status_code == 409 and 'id="number-error"' in taken.text
    assert "13911112222" not in numbers_on(b.get("/phone/numbers", params={"grade": "A"}))
    apply = a.get("/phone/apply")
    assert "13911112222" in apply.text and "10:15" in apply.text  # held until, in the tenant's zone
    clock.advance(minutes=16)  # expired: gone on read before any sweep
    assert b.post("/phone/numbers", {"number": "13911112222"}).status_code == 303
    events = world.run(lambda: OutboxEvent.select(OutboxEvent.kind).order_by(OutboxEvent.id))
    assert [e["kind"] for e in events] == ["number.reserved", "number.released", "number.reserved"]
    clock.advance(minutes=16)
    from plugins.phone.holds import sweep

    assert world.run(sweep) == 1
    assert world.run(lambda: NumberHold.count().where(NumberHold.live_number.is_not_null())) == 0


def test_one_hold_per_customer_the_new_one_replaces_it(world):
    a = customer(world)
    a.post("/phone/numbers", {"number": "13911112222"})
    a.post("/phone/numbers", {"number": "13911113333"})
    live = world.run(lambda: NumberHold.select().where(NumberHold.live_number.is_not_null()))
    assert [h["number"] for h in live] == ["13911113333"]


def _form(**over):
    form = {
        "plan": "m128",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "street": "文三路 100 号",
        "date": "2026-03-16",
        "slot": "09:00-12:00",
        "token": "t1",
    }
    form.update(over)
    return form


def test_application_errors_next_to_their_fields(world):
    a = customer(world)
    a.post("/phone/numbers", {"number": "13911112222"})  # grade A: minimum spend 128
    r = a.post("/phone/apply", _form(plan="m88", district="滨江区", date="2026-03-13"))
    assert r.status_code == 400
    for field in ("plan", "district", "date"):
        assert f'id="{field}-error"' in r.text, field
    assert "128.00" in r.text  # the minimum spend the plan does not cover
    assert world.run(lambda: ProductOrder.count()) == 0


def test_install_order_paid_and_carried_out(world):
    a = customer(world)
    a.post("/phone/numbers", {"number": "13911112222"})
    r = a.post("/phone/apply", _form())
    assert r.status_code == 303 and "/account/product-orders/" in r.headers["location"], r.text[:2000]
    order = world.run(lambda: ProductOrder.select().first())
    assert order["process"] == "phone.install" and order["state"] == "pending"
    assert order["amount_fen"] == 2000 + 10000 + 50000  # the plan's one-off and deposit, the grade's prepayment
    hold = world.run(lambda: NumberHold.select().first())
    assert hold["state"] == "ordered" and hold["order_id"] == order["id"]


def test_paid_order_goes_through_the_steps_and_the_number_is_used(world):
    from core.payments.providers import GatewayResult
    from core.payments.settle import settle
    from core.products import lifecycle
    from core.products.orders import get_order
    from core.workorders import Actor, transition

    a = customer(world)
    a.post("/phone/numbers", {"number": "13911110168"})  # grade C: prepayment 100
    r = a.post("/phone/apply", _form(plan="m58"))
    assert r.status_code == 303, r.text[:2000]
    order = world.run(lambda: ProductOrder.select().first())
    assert order["amount_fen"] == 10000 and order["state"] == "pending"
    pay = a.post(f"/account/product-orders/{order['id']}/pay")
    assert pay.status_code == 303
    order = world.run(lambda: ProductOrder.select().first())
    intent = order["payment_intent"]
    world.harness.payments.gateway("alpha").pay(intent, 10000)
    hall, tenant = world.harness.hall, world.harness.tenant("alpha")
    world.run(settle, hall, "fake", GatewayResult(intent, "T-1", "succeeded", 10000, {}))
    order = world.run(get_order, order["id"])
    assert order["state"] == "acknowledged" and order["workorder_id"]
    hold = world.run(lambda: NumberHold.select().first())
    assert hold["state"] == "ordered" and hold["expires_at"] is None  # paid: the order keeps the number
    op = Actor("operator", None, "Wang", frozenset({"core.workorders.handle"}), superuser=True)
    for step in ("survey", "appointment", "install"):
        world.run(transition, hall, order["workorder_id"], f"finish_{step}", op)
    world.run(lifecycle.run_pending, hall, tenant)
    assert world.run(get_order, order["id"])["state"] == "completed"
    hold = world.run(lambda: NumberHold.select().first())
    assert hold["state"] == "installed" and hold["live_number"] is None
    events = world.run(lambda: OutboxEvent.select().order_by(OutboxEvent.id))
    done = [e for e in events if e["kind"] == "productOrder.completed"]
    assert len(done) == 1 and done[0]["payload"]["process"] == "phone.install"
    line_item = done[0]["payload"]["items"][0]
    assert (line_item["number"], line_item["legacy_code"]) == ("13911110168", "T58")
    assert "number.released" not in [e["kind"] for e in events]


def test_rejected_installation_frees_the_number_and_the_customer_reads_why(world):
    from core.products.orders import get_order
    from core.workorders import Actor, transition

    a = customer(world)
    a.post("/phone/numbers", {"number": "13911110000"})
    r = a.post("/phone/apply", _form(plan="m19"))
    assert r.status_code == 400 and 'id="plan-error"' in r.text  # grade A needs 128 a month
    world.connector().pool["13911110123"] = (
        world.connector().pool["13911110000"].__class__("13911110123", "mobile", "0571", status="free")
    )
    a.post("/phone/numbers", {"number": "13911110123"})  # ordinary: nothing to pay
    r = a.post("/phone/apply", _form(plan="m58"))
    assert r.status_code == 303, r.text[:1500]
    order = world.run(lambda: ProductOrder.select().first())
    assert order["state"] == "acknowledged"
    op = Actor("operator", None, "Wang", frozenset({"core.workorders.handle"}), superuser=True)
    world.run(transition, world.harness.hall, order["workorder_id"], "reject", op, "地址无线路资源")
    assert world.run(get_order, order["id"])["state"] == "failed"
    hold = world.run(lambda: NumberHold.select().where(NumberHold.number == "13911110123").first())
    assert hold["state"] == "released" and hold["live_number"] is None
    kinds = [e["kind"] for e in world.run(lambda: OutboxEvent.select(OutboxEvent.kind).order_by(OutboxEvent.id))]
    assert kinds[-1] == "number.released" or "number.released" in kinds
    assert "地址无线路资源" in a.get(f"/account/product-orders/{order['id']}").text


def test_the_plugin_follows_the_rules_for_plugins():
    from core.api.testing import check_plugin

    assert check_plugin("phone") == []


def test_console_pool_and_appointments_per_day(world):
    from core.testing import add_operator

    a = customer(world)
    a.post("/phone/numbers", {"number": "13911112222"})
    assert a.post("/phone/apply", _form()).status_code == 303
    add_operator(world.harness, "alpha", "wang", ["phone.pool"])
    op = world.harness.client("alpha")
    op.login_operator("wang")
    pool = op.get("/phone/console/pool")
    assert pool.status_code == 200 and 'class="pool-hold" data-number="13911112222"' in pool.text
    day = op.get("/phone/console/appointments", params={"date": "2026-03-16"})
    assert day.status_code == 200 and 'class="appointment"' in day.text and "文三路 100 号" in day.text
    other = op.get("/phone/console/appointments", params={"date": "2026-03-17"})
    assert 'class="appointment"' not in other.text
    assert op.get("/phone/console/appointments", params={"date": "bad"}).status_code == 200
    assert "pool-holds" not in a.get("/phone/console/pool").text  # a customer is sent to the console's log-in


def test_a_number_just_installed_is_not_offered_before_the_bss_catches_up(world, clock):
    from plugins.phone import holds

    world.run(
        lambda: NumberHold.insert(
            NumberHold(number="13911113333", account_id=1, state="installed", ended_at=clock.moment)
        )
    )
    c = customer(world)
    assert "13911113333" not in numbers_on(c.get("/phone/numbers", params={"grade": "A"}))
    assert c.post("/phone/numbers", {"number": "13911113333"}).status_code == 409
    clock.advance(days=2)  # the BSS has had its day: its pool is the truth again
    assert world.run(holds.held_numbers, ["13911113333"]) == set()


def test_an_order_paid_after_the_holds_quarter_hour_still_has_its_number(world, clock):
    """The hold of a placed order lasts as long as its payment can still be made (the payment core's
    expire_after_minutes): a sweep in between does not free the number for someone else."""
    from core.payments.providers import GatewayResult
    from core.payments.settle import settle
    from core.products.orders import get_order

    a, b = customer(world), customer(world, "13900000009")
    a.post("/phone/numbers", {"number": "13911110168"})
    assert a.post("/phone/apply", _form(plan="m58")).status_code == 303
    order = world.run(lambda: ProductOrder.select().first())
    assert a.post(f"/account/product-orders/{order['id']}/pay").status_code == 303
    clock.advance(minutes=60)  # past the 15 minutes of a bare hold, within the 120 of an unpaid payment
    from plugins.phone.holds import sweep

    assert world.run(sweep) == 0
    assert b.post("/phone/numbers", {"number": "13911110168"}).status_code == 409  # still the first customer's
    intent = world.run(lambda: ProductOrder.select().first())["payment_intent"]
    world.harness.payments.gateway("alpha").pay(intent, 10000)
    world.run(settle, world.harness.hall, "fake", GatewayResult(intent, "T-9", "succeeded", 10000, {}))
    assert world.run(get_order, order["id"])["state"] == "acknowledged"
    hold = world.run(lambda: NumberHold.select().first())
    assert hold["state"] == "ordered" and hold["expires_at"] is None and hold["live_number"] == "13911110168"
