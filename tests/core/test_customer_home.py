"""The customer home page: amount owed, latest bills, open requests and quick actions of enabled plugins only; visitors see only real services."""

from __future__ import annotations

import datetime as dt

import pytest

from core.legacy.billing_tables import Bill
from core.testing import TenantSpec, make_customer, register_customer
from core.testing.payments import FakePaymentPlugin

SELLER = {"invoice_issuer": "测试电信有限公司", "invoice_issuer_tax_number": "91330106MA27XK8C3E"}
ALL = ["billpay", "bills", "service"]


def _months(back: int) -> str:
    """The month ``back`` months before this one, as YYYY-MM (relative to the real clock)."""
    today = dt.date.today().replace(day=1)
    year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
    return f"{year:04d}-{month + 1:02d}"


async def _seed(numbers: list[str]) -> None:
    from core.auth.tables import AccountNumber, CustomerAccount

    bills = []
    for i, number in enumerate(numbers):
        bills.append(
            Bill(
                legacy_id=f"{number}-old",
                number=number,
                month=_months(2),
                amount_fen=5000,
                paid_fen=5000,
                status="paid",
                due_date=dt.date.today() - dt.timedelta(days=30),
            )
        )
        bills.append(
            Bill(
                legacy_id=f"{number}-new",
                number=number,
                month=_months(1),
                amount_fen=8130 + i,
                paid_fen=0,
                status="unpaid",
                due_date=dt.date.today() + dt.timedelta(days=10),
            )
        )
    await Bill.insert(*bills)
    account = await CustomerAccount.select(CustomerAccount.id).first()
    await AccountNumber.insert(AccountNumber(account=account["id"], number=numbers[1]))


@pytest.fixture
def world(hall_factory):
    spec = {"billpay": SELLER}
    harness = hall_factory(
        [
            TenantSpec("alpha", plugins=ALL, payments={"providers": ["fake"]}, plugin_settings=spec),
            TenantSpec("beta", plugins=ALL, language="en", payments={"providers": ["fake"]}, plugin_settings=spec),
            TenantSpec("gamma", plugins=["bills"], language="en"),  # no billpay, no service, no payments
        ],
        extra_plugins={"fakepay": FakePaymentPlugin()},
    )
    ids = {}
    for n, tid in enumerate(("alpha", "beta", "gamma")):
        customer = make_customer(70 + n, numbers=(f"1397777{n}001", f"1397777{n}002"), phone=f"1397777{n}001")
        register_customer(harness, tid, customer)
        numbers = [x.number for x in customer.numbers]
        harness.in_tenant(tid, _seed, numbers)
        ids[tid] = numbers
    return harness, ids


def _client(harness, ids, tid):
    client = harness.client(tid)
    client.login_customer(ids[tid][0])
    return client


@pytest.mark.parametrize(
    "tid, words",
    [
        (
            "alpha",
            {"owed": "欠费金额", "bill": "本月账单", "requests": "进行中的申请", "pay": "网上缴费", "new": "我要投诉"},
        ),
        (
            "beta",
            {
                "owed": "Amount owed",
                "bill": "This month's bill",
                "requests": "My open requests",
                "pay": "Pay bills",
                "new": "New complaint",
            },
        ),
    ],
)
def test_signed_in_customer_sees_owed_latest_bill_open_request_and_actions(world, tid, words):
    harness, ids = world
    me = _client(harness, ids, tid)
    r = me.post("/service/complain", {"category": "billing", "title": "Overcharged in May", "text": "30 too much"})
    assert r.status_code == 303, r.text
    page = me.get("/").text
    for word in words.values():
        assert word in page, word
    assert "¥162.61" in page  # 81.30 + 81.31 owed on the two numbers
    for number in ids[tid]:  # the latest bill of each number, linked to its page
        assert f"/bills/{number}/{_months(1)}" in page
    assert f"/bills/{ids[tid][0]}/{_months(2)}" not in page
    assert "Overcharged in May" in page and "TS-" in page
    for path in ("/billpay/", "/bills/", "/service/complain", "/pay/history", "/account/requests"):
        assert f'href="{path}"' in page or f'href="/t/{tid}{path}"' in page, path


def test_a_closed_request_is_not_open(world):
    harness, ids = world
    from core.workorders.tables import WorkOrder

    me = _client(harness, ids, "beta")
    me.post("/service/complain", {"category": "billing", "title": "Old trouble", "text": "done"})
    harness.in_tenant("beta", lambda: WorkOrder.update({WorkOrder.state: "closed"}, force=True))
    page = me.get("/").text
    assert "Old trouble" not in page and "You have no open requests." in page


def test_a_tenant_without_billpay_or_service_offers_neither(world):
    harness, ids = world
    page = _client(harness, ids, "gamma").get("/").text
    assert "This month's bill" in page and f"/bills/{ids['gamma'][0]}/{_months(1)}" in page
    for missing in ("/billpay/", "/service/complain", "/pay/history", "Amount owed", "Pay bills", "New complaint"):
        assert missing not in page, missing


def test_a_visitor_is_promised_only_what_exists(world):
    harness, _ = world
    full = harness.client("alpha").get("/").text
    assert "新装" not in full and "业务受理" not in full and "您可以在这里办理" in full
    for path in ("/billpay/", "/bills/", "/service/complain"):
        assert path in full
    bare = harness.client("gamma").get("/").text
    assert "What you can do here" in bare and "/bills/" in bare
    for missing in ("/billpay/", "/service/", "/pay/history", "new lines"):
        assert missing not in bare, missing
    assert "Amount owed" not in bare and "My open requests" not in bare


def test_the_panels_cost_the_same_statements_for_two_numbers_or_six(world, monkeypatch):
    """No query per number: linking four more numbers (with bills) adds no statement to the home page."""
    from core.db import piccolo_conf

    harness, ids = world
    me = _client(harness, ids, "beta")
    engine_type = type(piccolo_conf.DB)
    original = engine_type.run_querystring
    seen: list[str] = []

    async def counting(self, querystring, *args, **kwargs):
        seen.append(str(querystring))
        return await original(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_type, "run_querystring", counting)

    def statements() -> int:
        seen.clear()
        assert me.get("/").status_code == 200
        return len(seen)

    statements()
    two = statements()
    more = [f"13988880{i:03d}" for i in range(4)]

    async def link_more():
        from core.auth.tables import AccountNumber, CustomerAccount

        account = await CustomerAccount.select(CustomerAccount.id).first()
        await AccountNumber.insert(*[AccountNumber(account=account["id"], number=n) for n in more])
        await Bill.insert(
            *[
                Bill(legacy_id=f"{n}-x", number=n, month=_months(1), amount_fen=100, paid_fen=0, status="unpaid")
                for n in more
            ]
        )

    harness.in_tenant("beta", link_more)
    six = statements()
    page = me.get("/").text  # (this request's statements are in ``seen`` too: checked below)
    assert all(f"/bills/{n}/{_months(1)}" in page for n in more)
    assert (
        any("core_bill" in s for s in seen)
        and any("core_work_order" in s or "workorder" in s for s in seen)
        and two > 0
        and six == two
    ), (two, six)
