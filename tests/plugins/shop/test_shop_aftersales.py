"""After-sales requests: which kinds fit an order, field errors, one open request per order, decisions once
(a refund exactly once under two concurrent approvals), a lost card voided and replaced once, an exchange taking
stock once, and nobody else seeing or opening a request."""

from __future__ import annotations

import asyncio

from shop_support import BUYER_PHONE, HOLDER_NUMBER, add_cards, add_sim, pins_of
from test_shop_delivery import buy_and_pay, buyer, messages_to
from test_shop_orders import buy, only_order, pay

from core.api.db import tenant_scope
from core.api.testing import add_operator, field_errors, make_customer, make_runner, register_customer
from core.api.workorders import Actor, WorkOrder
from core.api.web import FieldErrors
from plugins.shop import aftersales, warehouse
from plugins.shop.aftersales_tables import AfterSale
from plugins.shop.tables import Card, Movement, Order, Redemption

REASON = {"kind": "return", "reason": "卡片印刷有误，想退货"}


class Clerk:
    actor = "shop-clerk"

    async def record(self, *args, **kwargs):
        pass


def clerk(harness):
    add_operator(harness, "alpha", "as-clerk", permissions=["shop.view", "shop.orders", "core.workorders.handle"])
    client = harness.client("alpha")
    client.login_operator("as-clerk")
    return client


def requests(harness):
    return harness.in_tenant("alpha", lambda: AfterSale.select().order_by(AfterSale.id))


def workorder(harness, wo_id):
    return harness.in_tenant("alpha", lambda: WorkOrder.select().where(WorkOrder.id == wo_id).first())


def shipped_order(harness, plugin, operator):
    add_sim(harness)
    client = buyer(harness)
    order = buy_and_pay(harness, plugin, client)
    r = operator.post(
        f"/shop/console/orders/{order['number']}/ship", {"carrier": "sf", "tracking": "SF12345678", "location": "WH1"}
    )
    assert r.status_code in (200, 303), r.text[:300]
    return client, only_order(harness)


def test_return_with_field_errors_then_approved_with_a_partial_refund_once(world):
    harness, plugin, _ids = world
    operator = clerk(harness)
    client, order = shipped_order(harness, plugin, operator)
    path = f"/shop/orders/{order['number']}"
    page = client.get(path)
    assert "售后" in page.text and 'value="return"' in page.text and 'value="lost_card"' not in page.text
    bad = client.post(path + "/aftersales", {"kind": "", "reason": "坏"})
    assert bad.status_code == 400 and len(field_errors(bad.text)) == 2 and requests(harness) == []
    unfit = client.post(path + "/aftersales", {"kind": "lost_card", "reason": "卡丢了，请挂失"})
    assert unfit.status_code == 400 and len(field_errors(unfit.text)) == 1 and requests(harness) == []
    assert client.post(path + "/aftersales", REASON).status_code == 303
    again = client.post(path + "/aftersales", {**REASON, "kind": "exchange"})
    assert again.status_code == 400 and "等待" in again.text and len(requests(harness)) == 1
    row = requests(harness)[0]
    wo = workorder(harness, row["workorder_id"])
    assert (wo["type"], wo["state"], wo["number"]) == ("shop.aftersales", "new", row["number"])
    assert row["number"].startswith("SH-") and row["state"] == "open" and row["open_order"] == order["id"]

    console = operator.get(f"/shop/console/orders/{order['number']}")
    assert console.status_code == 200 and row["number"] in console.text and "最多可退 22.00 元" in console.text
    wo_page = operator.get(f"/console/workorders/{wo['id']}")
    assert (
        wo_page.status_code == 200
        and "卡品商城的订单页" in wo_page.text
        and 'value="approve_refund"' not in wo_page.text
    )
    forged = operator.post(f"/console/workorders/{wo['id']}/act", {"action": "approve_refund", "comment": "x"})
    assert forged.status_code in (400, 403, 409) and workorder(harness, wo["id"])["state"] == "new"

    decide = f"/shop/console/aftersales/{row['id']}/decide"
    too_much = operator.post(decide, {"outcome": "refund", "amount": "22.01"})
    assert too_much.status_code == 400 and len(field_errors(too_much.text)) == 1
    no_reason = operator.post(decide, {"outcome": "rejected", "note": ""})
    assert no_reason.status_code == 400 and requests(harness)[0]["state"] == "open"
    assert operator.post(decide, {"outcome": "refund", "amount": "10", "note": "印刷问题，退 10 元"}).status_code == 303
    twice = operator.post(decide, {"outcome": "refund", "amount": "10"})
    assert twice.status_code == 400 and "已处理" in twice.text
    row = requests(harness)[0]
    assert (row["state"], row["refund_fen"], row["refund_state"], row["open_order"]) == (
        "refund",
        1000,
        "succeeded",
        None,
    )
    assert plugin.gateway("alpha").trades[order["intent_id"]].refunds == {row["refund_id"]: 1000}
    assert workorder(harness, wo["id"])["state"] == "refund" and workorder(harness, wo["id"])["closed_at"]
    assert only_order(harness)["state"] == "shipped"  # the order itself is left as it was

    mine = client.get(path)
    assert "同意退款" in mine.text and "¥10.00" in mine.text and "印刷问题" in mine.text
    assert 'name="kind"' in mine.text  # decided: another request may be opened
    told = [m["body_text"] for m in messages_to(harness, "user400@example.com")]
    assert any(row["number"] in t and "已收到" in t for t in told)
    assert any(row["number"] in t and "10.00" in t and "同意" in t for t in told)
    assert sum("已退款 10.00 元" in t or "退款 10.00 元" in t for t in told) >= 1


def test_a_refund_the_gateway_could_not_take_is_finished_by_the_job_once(world):
    harness, plugin, _ids = world
    operator = clerk(harness)
    client, order = shipped_order(harness, plugin, operator)
    assert client.post(f"/shop/orders/{order['number']}/aftersales", REASON).status_code == 303
    row = requests(harness)[0]
    plugin.gateway("alpha").down = True
    assert (
        operator.post(f"/shop/console/aftersales/{row['id']}/decide", {"outcome": "refund", "amount": "22"}).status_code
        == 303
    )
    assert requests(harness)[0]["refund_state"] == "pending"
    assert "退款处理中" in client.get(f"/shop/orders/{order['number']}").text
    plugin.gateway("alpha").down = False
    runner = make_runner(harness.hall)
    harness.run(runner.run_now("shop.aftersales", "alpha"))
    harness.run(runner.run_now("shop.aftersales", "alpha"))
    done = requests(harness)[0]
    assert done["refund_state"] == "succeeded"
    assert plugin.gateway("alpha").trades[order["intent_id"]].refunds == {done["refund_id"]: 2200}


def test_two_concurrent_approvals_refund_once(world):
    harness, plugin, _ids = world
    operator = clerk(harness)
    client, order = shipped_order(harness, plugin, operator)
    assert client.post(f"/shop/orders/{order['number']}/aftersales", REASON).status_code == 303
    row = requests(harness)[0]
    tenant = harness.tenant("alpha")
    actor = Actor("operator", None, "clerk", frozenset({"shop.orders", "core.workorders.handle"}), superuser=True)

    async def race():
        started = asyncio.Event()

        async def one(amount):
            await started.wait()
            with tenant_scope(tenant):
                settings = tenant.plugin_settings("shop")
                return await aftersales.decide(
                    harness.hall,
                    tenant,
                    settings,
                    row,
                    {"outcome": "refund", "amount": amount},
                    actor=actor,
                    auditor=Clerk(),
                )

        tasks = [asyncio.create_task(one(a)) for a in ("22", "22", "5")]
        await asyncio.sleep(0)
        started.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    outcomes = harness.run(race())
    won = [o for o in outcomes if isinstance(o, dict)]
    lost = [o for o in outcomes if isinstance(o, FieldErrors)]
    assert len(won) == 1 and len(lost) == 2, outcomes
    refunds = plugin.gateway("alpha").trades[order["intent_id"]].refunds
    assert list(refunds.values()) == [won[0]["refund_fen"]]
    assert harness.in_tenant("alpha", lambda: AfterSale.count().where(AfterSale.state == "refund")) == 1


def test_a_lost_card_is_voided_and_replaced_once(world):
    harness, plugin, ids = world
    operator = clerk(harness)
    batch = add_cards(harness, ids["products"]["P50"], 3)
    pins = pins_of(harness, batch["id"])
    client = buyer(harness)
    assert buy(client).status_code == 303
    pay(harness, plugin, client, only_order(harness)["intent_id"])
    order = only_order(harness)
    path = f"/shop/orders/{order['number']}"
    first = client.post(path + "/show", {})
    old = harness.in_tenant("alpha", lambda: Card.select().where(Card.id == order["card_id"]).first())
    assert old["serial"] in first.text
    page = client.get(path)
    assert 'value="lost_card"' in page.text and 'value="exchange"' not in page.text
    assert (
        client.post(path + "/aftersales", {"kind": "lost_card", "reason": "卡密被人看到了，请挂失"}).status_code == 303
    )
    row = requests(harness)[0]
    decide = f"/shop/console/aftersales/{row['id']}/decide"
    assert operator.post(decide, {"outcome": "exchange", "note": "已补发"}).status_code == 303
    assert operator.post(decide, {"outcome": "exchange"}).status_code == 400
    cards = harness.in_tenant("alpha", lambda: Card.select().where(Card.order_id == order["id"]).order_by(Card.id))
    assert [c["state"] for c in cards] == ["void", "sold"] and cards[0]["id"] == old["id"]
    after = only_order(harness)
    assert (after["card_id"], after["state"], after["pin_shown_at"]) == (cards[1]["id"], "fulfilled", None)
    assert requests(harness)[0]["new_card_id"] == cards[1]["id"]
    # the lost card cannot be used; the new one is shown once
    refused = client.post(
        "/shop/redeem", {"number": HOLDER_NUMBER, "serial": old["serial"], "pin": pins[old["serial"]]}
    )
    assert refused.status_code in (200, 400, 409) and harness.in_tenant("alpha", Redemption.count) == 0
    shown = client.post(path + "/show", {})
    assert cards[1]["serial"] in shown.text
    assert cards[1]["serial"] not in client.post(path + "/show", {}).text
    assert "新卡" in client.get(path).text
    assert len(plugin.gateway("alpha").trades[order["intent_id"]].refunds) == 0


def test_a_card_redeemed_meanwhile_is_not_voided_nor_replaced(world):
    harness, plugin, ids = world
    operator = clerk(harness)
    add_cards(harness, ids["products"]["P50"], 2)
    client = buyer(harness)
    buy(client)
    pay(harness, plugin, client, only_order(harness)["intent_id"])
    order = only_order(harness)
    assert (
        client.post(
            f"/shop/orders/{order['number']}/aftersales", {"kind": "return", "reason": "买错了面值"}
        ).status_code
        == 303
    )
    harness.in_tenant("alpha", lambda: Card.update({Card.state: "redeemed"}).where(Card.id == order["card_id"]))
    row = requests(harness)[0]
    r = operator.post(f"/shop/console/aftersales/{row['id']}/decide", {"outcome": "refund", "amount": "49"})
    assert r.status_code == 400 and "充值" in r.text
    assert requests(harness)[0]["state"] == "open" and workorder(harness, row["workorder_id"])["state"] == "new"
    assert plugin.gateway("alpha").trades[order["intent_id"]].refunds == {}
    reject = operator.post(
        f"/shop/console/aftersales/{row['id']}/decide", {"outcome": "rejected", "note": "卡已充值使用。"}
    )
    assert reject.status_code == 303 and requests(harness)[0]["state"] == "rejected"
    told = [m["body_text"] for m in messages_to(harness, "user400@example.com")]
    assert any("卡已充值使用" in t for t in told)
    assert 'name="kind"' not in client.get(f"/shop/orders/{order['number']}").text  # redeemed: nothing fits now


def test_a_physical_exchange_takes_one_unit_once(world):
    harness, plugin, _ids = world
    operator = clerk(harness)
    client, order = shipped_order(harness, plugin, operator)
    assert client.post(f"/shop/orders/{order['number']}/aftersales", {**REASON, "kind": "exchange"}).status_code == 303
    row = requests(harness)[0]
    decide = f"/shop/console/aftersales/{row['id']}/decide"
    bad = operator.post(decide, {"outcome": "exchange", "carrier": "ufo", "tracking": "x"})
    assert bad.status_code == 400 and len(field_errors(bad.text)) == 2
    before = harness.in_tenant("alpha", warehouse.on_hand, order["product_id"])
    ok = {"outcome": "exchange", "carrier": "sf", "tracking": "sf7777777", "location": "WH1"}
    assert operator.post(decide, ok).status_code == 303
    assert operator.post(decide, ok).status_code == 400
    assert harness.in_tenant("alpha", warehouse.on_hand, order["product_id"]) == before - 1
    moves = harness.in_tenant("alpha", lambda: Movement.select().where(Movement.reason.like("after-sales%")))
    assert len(moves) == 1 and moves[0]["order_id"] == order["id"]
    assert requests(harness)[0]["tracking"] == "SF7777777"
    mine = client.get(f"/shop/orders/{order['number']}")
    assert "SF7777777" in mine.text and "顺丰速运" in mine.text


def test_nobody_else_sees_or_opens_a_request(world):
    harness, plugin, _ids = world
    operator = clerk(harness)
    client, order = shipped_order(harness, plugin, operator)
    other = make_customer(402, name="王其他", numbers=("13800000002",), phone="13800000002")
    register_customer(harness, "alpha", other)
    stranger = harness.client("alpha")
    stranger.login_customer("13800000002")
    assert stranger.post(f"/shop/orders/{order['number']}/aftersales", REASON).status_code == 404
    assert requests(harness) == []
    assert client.post(f"/shop/orders/{order['number']}/aftersales", REASON).status_code == 303
    row = requests(harness)[0]
    assert stranger.get(f"/account/requests/{row['workorder_id']}").status_code == 404
    assert client.get(f"/account/requests/{row['workorder_id']}").status_code == 200
    register_customer(
        harness, "beta", make_customer(403, name="Other tenant", numbers=(BUYER_PHONE,), phone=BUYER_PHONE)
    )
    elsewhere = harness.client("beta")
    elsewhere.login_customer(BUYER_PHONE)  # the same phone at another tenant is another customer
    assert elsewhere.post(f"/shop/orders/{order['number']}/aftersales", REASON).status_code == 404
    assert elsewhere.get(f"/account/requests/{row['workorder_id']}").status_code == 404
    assert harness.in_tenant("beta", AfterSale.count) == 0 and harness.in_tenant("beta", WorkOrder.count) == 0
    # the buyer withdraws it on the core's page: the request closes, and a new one may be opened
    assert client.post(f"/account/requests/{row['workorder_id']}/act", {"action": "withdraw"}).status_code == 303
    assert requests(harness)[0]["state"] == "withdrawn" and requests(harness)[0]["open_order"] is None
    assert client.post(f"/shop/orders/{order['number']}/aftersales", REASON).status_code == 303
    assert harness.in_tenant("alpha", lambda: Order.count()) == 1
