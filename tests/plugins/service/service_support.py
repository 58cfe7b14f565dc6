"""Two tenants with the service plugin: departments CS, BILL and NET, operators with and without permissions, a customer each."""

from __future__ import annotations

from core.api.testing import TenantSpec, add_operator, make_customer, register_customer

HANDLE = ["core.workorders.handle"]
RESOLVE = HANDLE + ["service.complaints.resolve"]
ALL = RESOLVE + ["service.content", "service.faq", "service.stats"]


def build(hall_factory, **settings):
    harness = hall_factory(
        [
            TenantSpec("alpha", plugins=["service"], plugin_settings={"service": settings} if settings else {}),
            TenantSpec("beta", plugins=["service"], language="en"),
        ]
    )
    ids = {}
    for n, tid in enumerate(("alpha", "beta")):
        ids[tid] = {
            "ann": add_operator(harness, tid, f"{tid}-ann", permissions=ALL),  # customer service
            "bill": add_operator(harness, tid, f"{tid}-bill", permissions=RESOLVE),  # billing clerk
            "head": add_operator(harness, tid, f"{tid}-head", permissions=HANDLE),  # head of billing
            "plain": add_operator(harness, tid, f"{tid}-plain", permissions=[]),
        }
        harness.in_tenant(tid, seed_departments, ids[tid])
        customer = make_customer(60 + n, email=f"cust-{tid}@example.com")
        ids[tid]["customer"] = register_customer(harness, tid, customer)
        ids[tid]["login"] = customer.numbers[0].number
    return harness, ids


async def seed_departments(ids: dict) -> None:
    from core.api.workorders import add_member, save_department

    cs = await save_department("CS", "Customer service", head=ids["ann"], email="cs@example.com")
    bill = await save_department("BILL", "Billing", head=ids["head"], email="billing-head@example.com")
    await save_department("NET", "Network", email="net@example.com")
    await add_member(cs, ids["ann"])
    await add_member(bill, ids["bill"])


def customer_client(harness, ids, tid="alpha"):
    client = harness.client(tid)
    client.login_customer(ids[tid]["login"])
    return client


def operator_client(harness, tid, name):
    client = harness.client(tid)
    client.login_operator(f"{tid}-{name}")
    return client


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
