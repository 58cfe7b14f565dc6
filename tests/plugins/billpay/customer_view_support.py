"""A world for the console's customer view: tenants with bills, billpay and service, a customer who pays, looks and asks."""

from __future__ import annotations

from billpay_support import SELLER, link, seed_bills
from test_billpay_pay import intent_of, pay_at_gateway

from core.api.testing import FakePaymentPlugin, TenantSpec, add_operator, make_customer, register_customer
from core.api.workorders import Actor, open_order

ALL = ["core.customers.view", "core.payments.view", "core.workorders.handle", "billpay.view", "bills.access_log"]


def build(hall_factory):
    """(harness, fake payment plugin, ids): alpha (zh_CN) and beta (en) with bills, billpay and service."""
    plugin = FakePaymentPlugin()
    spec = {"billpay": SELLER}
    harness = hall_factory(
        [
            TenantSpec(
                t,
                plugins=["bills", "billpay", "service"],
                language=lang,
                payments={"providers": ["fake"]},
                plugin_settings=spec,
            )
            for t, lang in (("alpha", "zh_CN"), ("beta", "en"))
        ],
        extra_plugins={"fakepay": plugin},
    )
    ids = {}
    for n, tid in enumerate(("alpha", "beta")):
        customer = make_customer(60 + n, numbers=(f"1393333{n}001", f"1393333{n}002"), phone=f"1393333{n}001")
        account = register_customer(harness, tid, customer)
        harness.in_tenant(tid, link, account, customer.numbers[1].number)
        for number in (x.number for x in customer.numbers):
            harness.in_tenant(tid, seed_bills, number, tid)
        ids[tid] = {
            "customer": customer,
            "account": account,
            "numbers": [x.number for x in customer.numbers],
            "all": add_operator(harness, tid, f"{tid}-all", permissions=ALL),
            "lookup": add_operator(harness, tid, f"{tid}-lookup", permissions=["core.customers.view"]),
            "plain": add_operator(harness, tid, f"{tid}-plain", permissions=["core.payments.view"]),
        }
    return harness, plugin, ids


def operator(harness, who, tid="alpha"):
    client = harness.client(tid)
    client.login_operator(f"{tid}-{who}")
    return client


def customer_activity(world, tid="alpha"):
    """The customer pays a bill, looks at call records and opens a request: what the view should then show."""
    harness, plugin, ids = world
    client = harness.client(tid)
    client.login_customer(ids[tid]["numbers"][0])
    number = ids[tid]["numbers"][0]
    intent_id = intent_of(client.post("/billpay/pay", {"number": number, "mode": "all"}))
    pay_at_gateway(harness, plugin, client, intent_id, tid)
    assert client.post(f"/billpay/invoice/{intent_id}", {"kind": "personal", "title": "张三"}).status_code == 303
    assert client.get(f"/bills/{number}/calls", params={"month": "2024-05"}).status_code == 200
    order = harness.in_tenant(
        tid,
        open_order,
        harness.hall,
        "service.consultation",
        {"text": "宽带怎么办理"},
        title="咨询宽带",
        actor=Actor("customer", ids[tid]["account"], "customer"),
        customer=ids[tid]["account"],
    )
    return intent_id, order
