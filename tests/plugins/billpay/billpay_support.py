"""Two tenants with billpay and the fake gateway: a customer with two numbers and bills, another customer, operators."""

from __future__ import annotations

import datetime as dt

from core.api.legacy import Bill
from core.api.testing import FakePaymentPlugin, TenantSpec, add_operator, make_customer, register_customer

# The invoice seller every test tenant has (a fake but valid unified social credit code); tests may override any key.
SELLER = {"invoice_issuer": "测试电信有限公司", "invoice_issuer_tax_number": "91330106MA27XK8C3E"}
# (month, amount, paid, status) per number: one paid month, one partly paid, one unpaid
BILLS = (("2024-03", 7000, 7000, "paid"), ("2024-04", 8130, 4065, "partial"), ("2024-05", 9920, 0, "unpaid"))


async def seed_bills(number: str, prefix: str, bills=BILLS) -> None:
    await Bill.insert(
        *[
            Bill(
                legacy_id=f"{prefix}-{number}-{month}",
                number=number,
                month=month,
                amount_fen=amount,
                paid_fen=paid,
                status=status,
                due_date=dt.date(int(month[:4]), int(month[5:]) + 1, 15),
            )
            for month, amount, paid, status in bills
        ]
    )


async def link(account: int, number: str) -> None:
    from core.auth.tables import AccountNumber

    await AccountNumber.insert(AccountNumber(account=account, number=number))


def build(hall_factory, settings: dict | None = None, extra_plugins: dict | None = None):
    """(harness, fake payment plugin, ids): alpha (zh_CN) and beta (en) take bill payments with the fake gateway."""
    plugin = FakePaymentPlugin()
    spec = {"billpay": {**SELLER, **(settings or {})}}
    harness = hall_factory(
        [
            TenantSpec("alpha", plugins=["billpay"], payments={"providers": ["fake"]}, plugin_settings=spec),
            TenantSpec(
                "beta", plugins=["billpay"], language="en", payments={"providers": ["fake"]}, plugin_settings=spec
            ),
        ],
        extra_plugins={"fakepay": plugin, **(extra_plugins or {})},
    )
    ids = {}
    for n, tid in enumerate(("alpha", "beta")):
        customer = make_customer(80 + n, numbers=(f"1391111{n}001", f"1391111{n}002"), phone=f"1391111{n}001")
        other = make_customer(90 + n, numbers=(f"1392222{n}001",), phone=f"1392222{n}001")
        account = register_customer(harness, tid, customer)
        harness.in_tenant(tid, link, account, customer.numbers[1].number)
        register_customer(harness, tid, other)
        for number in (*[x.number for x in customer.numbers], other.numbers[0].number):
            harness.in_tenant(tid, seed_bills, number, tid)
        ids[tid] = {
            "numbers": [x.number for x in customer.numbers],
            "customer": customer,
            "other": other,
            "clerk": add_operator(
                harness, tid, f"{tid}-clerk", permissions=["billpay.view", "billpay.report", "core.payments.view"]
            ),
            "cashier": add_operator(
                harness, tid, f"{tid}-cashier", permissions=["core.payments.view", "core.payments.refund"]
            ),
            "plain": add_operator(harness, tid, f"{tid}-plain", permissions=[]),
        }
    return harness, plugin, ids


def customer_client(harness, ids, tid="alpha", **kwargs):
    client = harness.client(tid, **kwargs)
    client.login_customer(ids[tid]["numbers"][0])
    return client


def bill_id(tid: str, number: str, month: str) -> str:
    return f"{tid}-{number}-{month}"
