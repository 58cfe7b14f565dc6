"""Two tenants with topup and the fake gateway: holders with masked names, a closed number, a number only the other tenant
has, a number the legacy system knows but the hall has not synced yet; a logged-in customer; operators."""

from __future__ import annotations

import dataclasses

from core.api.legacy import LegacyServiceNumber
from core.api.testing import FakePaymentPlugin, TenantSpec, add_operator, make_customer, register_customer, sync

SETTINGS = {
    "presets_fen": [3000, 5000, 10000],
    "min_fen": 1000,
    "max_fen": 50000,
    "number_daily_count": 3,
    "number_daily_fen": 100000,
    "address_hourly_attempts": 40,
}
NAMES = {"alpha": "张三明", "beta": "Li Xiaoming"}


def numbers_of(n: int) -> dict[str, str]:
    """The numbers of tenant ``n`` (0 alpha, 1 beta): each tenant's own, so one tenant's are unknown in the other."""
    return {
        "holder": f"1390000{n}001",
        "second": f"1390000{n}002",
        "closed": f"1390000{n}009",
        "suspended": f"1390000{n}008",
        "customer": f"1380000{n}001",
        "unsynced": f"1370000{n}001",
    }


def build(hall_factory, settings: dict | None = None, extra: dict | None = None):
    """(harness, fake payment plugin, ids per tenant)."""
    plugin = FakePaymentPlugin()
    spec = {"topup": {**SETTINGS, **(settings or {})}}
    harness = hall_factory(
        [
            TenantSpec("alpha", plugins=["topup"], payments={"providers": ["fake"]}, plugin_settings=spec),
            TenantSpec(
                "beta", plugins=["topup"], language="en", payments={"providers": ["fake"]}, plugin_settings=spec
            ),
        ],
        extra_plugins={"fakepay": plugin, **(extra or {})},
    )
    ids = {}
    for n, tid in enumerate(("alpha", "beta")):
        numbers = numbers_of(n)
        holder = make_customer(300 + n, name=NAMES[tid], numbers=(numbers["holder"], numbers["second"]))
        holder = dataclasses.replace(
            holder,
            numbers=(
                *holder.numbers,
                LegacyServiceNumber(numbers["closed"], status="closed"),
                LegacyServiceNumber(numbers["suspended"], status="suspended"),
            ),
        )
        customer = make_customer(310 + n, numbers=(numbers["customer"],), phone=numbers["customer"])
        register_customer(harness, tid, customer)
        harness.connectors[tid].customers.append(holder)
        sync(harness, tid)
        late = make_customer(320 + n, name="王五", numbers=(numbers["unsynced"],))
        harness.connectors[tid].customers.append(late)  # in the legacy system, not synced: found live
        ids[tid] = {
            "numbers": numbers,
            "holder": holder,
            "customer": customer,
            "late": late,
            "clerk": add_operator(harness, tid, f"{tid}-clerk", permissions=["topup.view"]),
            "cashier": add_operator(harness, tid, f"{tid}-cashier", permissions=["topup.view", "topup.refund"]),
        }
    return harness, plugin, ids


def find(client, number: str):
    return client.post("/topup/find", {"number": number})


def start(client, number: str, amount="5000", custom: str = "", attempt: str = "attempt-0001"):
    return client.post("/topup/pay", {"number": number, "amount": amount, "custom_amount": custom, "attempt": attempt})


def intent_of(response) -> str:
    assert response.status_code == 303, response.text[:800]
    return response.headers["location"].rsplit("/", 1)[-1]


def pay_at_gateway(plugin, client, intent_id: str, tid: str = "alpha"):
    gateway = plugin.gateway(tid)
    gateway.pay(intent_id)
    return client.post("/pay/notify/fake", gateway.notification(intent_id), csrf=False)
