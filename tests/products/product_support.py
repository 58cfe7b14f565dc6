"""A hall for the products core's tests: a connector with lines, a number pool and order read-back, a test plugin
that sells a hall-charged "box" with an order process and recordable lifecycle hooks, and tenant.toml offerings."""

from __future__ import annotations

import types

import pytest
from dataclasses import dataclass, field

from core.hookspecs import hookimpl
from core.legacy.ports import LegacyBalance, LegacyServiceLine, NumberPage, PoolNumber
from core.products.catalog import ProductOffering, ProductSpecification
from core.products.model import LifecycleFailed
from core.products.process import Step, order_steps
from core.testing import FakeConnector, TenantSpec, make_customer, register_customer, sync

MOBILE = "13900000001"
SECOND = "13900000002"
FIXED = "057188880001"
OTHER = "13900000009"  # another customer's number

OFFERINGS = [
    {
        "code": "m58",
        "name": {"zh_CN": "畅聊套餐58元", "en": "Talk 58"},
        "group": "mobile",
        "legacy_code": "T58",
        "monthly_fee_fen": 5800,
        "terms": {"zh_CN": "次月生效", "en": "Takes effect next month"},
    },
    {
        "code": "m88",
        "name": {"zh_CN": "畅聊套餐88元", "en": "Talk 88"},
        "group": "mobile",
        "legacy_code": "T88",
        "monthly_fee_fen": 8800,
    },
    {
        "code": "m19",
        "name": {"zh_CN": "学生卡", "en": "Student"},
        "group": "mobile",
        "legacy_code": "T19",
        "monthly_fee_fen": 1900,
    },
    {
        "code": "m128",
        "name": {"zh_CN": "畅聊套餐128元", "en": "Talk 128"},
        "group": "mobile",
        "legacy_code": "T128",
        "monthly_fee_fen": 12800,
        "one_off_fen": 2000,
        "deposit_fen": 10000,
    },
    {"code": "f25", "name": "普通电话基本套餐", "group": "fixed", "legacy_code": "F25", "monthly_fee_fen": 2500},
]


@dataclass
class LineConnector(FakeConnector):
    """A FakeConnector with the ``lines`` and ``number_pool`` ports and the order read-back port."""

    lines: dict[str, LegacyServiceLine] = field(default_factory=dict)
    pool: dict[str, PoolNumber] = field(default_factory=dict)
    order_states: dict[str, tuple[str, str]] = field(default_factory=dict)
    balances: dict[str, LegacyBalance] = field(default_factory=dict)  # the balances port (the charge run's prepaid)

    async def balance_of(self, account: str):
        self._check()
        return self.balances.get(account)

    async def line_by_number(self, number: str):
        self._check()
        self.calls.append(f"line:{number}")
        return self.lines.get(number)

    async def lines_of_customer(self, legacy_id: str):
        self._check()
        self.calls.append(f"lines_of:{legacy_id}")
        return sorted((ln for ln in self.lines.values() if ln.customer_id == legacy_id), key=lambda ln: ln.number)

    async def free_numbers(self, query):
        return NumberPage([], "")

    async def number_status(self, number: str):
        self._check()
        return self.pool.get(number)

    async def product_order_states(self, numbers: list[str]):
        self._check()
        return {n: s for n, s in self.order_states.items() if n in numbers}


class LineConnectorPlugin:
    def __init__(self):
        self.connectors: dict[str, LineConnector] = {}

    @hookimpl
    def make_connector(self, hall, tenant, config):
        if config.get("type") != "linefake":
            return None
        return self.connectors.setdefault(tenant.id, LineConnector())


SETUP = order_steps(
    "testprod.setup", "Box set-up", "TB", [Step("check", "Checking", hours=4), Step("install", "Installing", hours=24)]
)
CHANGE = order_steps("testprod.change", "Plan change", "TC", [Step("confirm", "At the billing system", hours=8)])


def make_plugin(calls: list, fail: dict):
    """The test plugin: ``calls`` records (action, product id, key, attempt); ``fail[action]`` makes that hook fail."""
    plugin = types.ModuleType("testprod")

    @hookimpl
    def register_product_specifications(hall):
        return [ProductSpecification("box", "Box", charged_by="hall")]

    @hookimpl
    def register_product_offerings(hall, tenant):
        return [
            ProductOffering("box.basic", "box", name="Box", one_off_fen=0, monthly_fee_fen=1000, rules=()),
            ProductOffering(
                "box.paid", "box", name="Paid box", one_off_fen=500, deposit_fen=1500, monthly_fee_fen=2000, rules=()
            ),
        ]

    @hookimpl
    def register_workorder_types(hall):
        return [SETUP, CHANGE]

    def hook(action):
        def impl(hall, tenant, product, call):
            calls.append((action, product.id, call.key, call.attempt))
            if fail.get(action):
                raise LifecycleFailed(fail[action])

        return impl

    for action in ("provision", "modify", "suspend", "resume", "terminate", "renew"):
        setattr(plugin, f"{action}_product", hookimpl(hook(action)))
    plugin.register_product_specifications = register_product_specifications
    plugin.register_product_offerings = register_product_offerings
    plugin.register_workorder_types = register_workorder_types
    return plugin


@dataclass
class World:
    harness: object
    lines: LineConnectorPlugin
    calls: list
    fail: dict
    account: int  # the alpha customer's CustomerAccount id
    customer: str  # their legacy id

    def connector(self, tenant_id: str = "alpha") -> LineConnector:
        return self.lines.connectors[tenant_id]

    def run(self, fn, *args, tenant: str = "alpha", **kwargs):
        return self.harness.in_tenant(tenant, fn, *args, **kwargs)


def line(number: str, customer: str, tariff: str, fee: int) -> LegacyServiceLine:
    return LegacyServiceLine(
        number=number, customer_id=customer, tariff_code=tariff, tariff_name=f"BSS {tariff}", monthly_fee_fen=fee
    )


def build(
    hall_factory,
    *,
    payments: bool = False,
    timezone: str = "",
    products: dict | None = None,
    plugins: tuple = (),
    beta_plugins: tuple = (),
    alipay_gateway: str = "",
) -> World:
    from core.testing.payments import FakePaymentPlugin

    calls, fail = [], {}
    lines = LineConnectorPlugin()
    extra = {"linefake": lines, "testprod": make_plugin(calls, fail)}
    pay = {}
    if payments:
        extra["fakepay"] = FakePaymentPlugin()
        pay = {"providers": ["fake"]}
    settings = {}
    if alipay_gateway:  # Alipay through a sandbox (tests/plugins/alipay/alipay_support.py writes the keys)
        pay = {"providers": ["alipay"]}
        settings = {
            "alipay": {"app_id": "2021000000000001", "seller_id": "2088000000000001", "gateway": alipay_gateway}
        }
    section = {"offerings": OFFERINGS, **(products or {})}
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["testprod", *plugins],
                connector={"type": "linefake"},
                products=section,
                payments=pay,
                timezone=timezone,
                plugin_settings=settings,
            ),
            TenantSpec("beta", plugins=["testprod", *beta_plugins], connector={"type": "linefake"}, products=section),
        ],
        extra_plugins=extra,
    )
    harness.payments = extra.get("fakepay")
    person = make_customer(1, numbers=(MOBILE, SECOND, FIXED), email="cust@example.com")
    other = make_customer(2, numbers=(OTHER,))
    for tid in ("alpha", "beta"):
        conn = lines.connectors[tid]
        conn.customers.append(other)
        conn.lines.update(
            {
                MOBILE: line(MOBILE, person.legacy_id, "T58", 5800),
                SECOND: line(SECOND, person.legacy_id, "T19", 1900),
                FIXED: line(FIXED, person.legacy_id, "F25", 2500),
                OTHER: line(OTHER, other.legacy_id, "T58", 5800),
            }
        )
    account = register_customer(harness, "alpha", person)
    register_customer(harness, "beta", person)
    sync(harness, "alpha")
    harness.in_tenant("alpha", _link, account, [SECOND, FIXED])
    return World(harness, lines, calls, fail, account, person.legacy_id)


async def _link(account_id: int, numbers: list[str]) -> None:
    from core.auth.tables import AccountNumber

    for number in numbers:
        await AccountNumber.insert(AccountNumber(account=account_id, number=number))


@pytest.fixture
def clock(monkeypatch):
    """The products clock, set by the test: ``clock.set(datetime)``; every products module reads model.now()."""
    import datetime as dt

    from core.products import model

    class Clock:
        moment = dt.datetime(2026, 3, 14, 2, 0, tzinfo=dt.timezone.utc)

        def set(self, moment):
            self.moment = moment

        def advance(self, **delta):
            self.moment = self.moment + dt.timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(model, "now", lambda: clock.moment)
    return clock
