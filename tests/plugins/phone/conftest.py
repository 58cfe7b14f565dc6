import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "products"))

from product_support import OFFERINGS, MOBILE, LineConnectorPlugin, World, line, make_plugin  # noqa: E402

from core.api.legacy import NumberPage, PoolNumber  # noqa: E402
from core.testing import TenantSpec, make_customer, register_customer, sync  # noqa: E402

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 14, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
SETTINGS = {
    "hold_minutes": 15,
    "holds_per_identity": 2,
    "searches_per_hour": 5,
    "page_size": 4,
    "area": {"浙江省": {"杭州市": ["西湖区", "上城区"]}},
    "grades": [
        {
            "code": "A",
            "name": {"zh_CN": "四连号", "en": "Four of a kind"},
            "patterns": ["AAAA"],
            "priority": 1,
            "prepay_fen": 50000,
            "min_spend_fen": 12800,
        },
        {
            "code": "C",
            "name": {"zh_CN": "吉祥尾号", "en": "Lucky"},
            "endings": ["168", "88"],
            "priority": 3,
            "prepay_fen": 10000,
            "min_spend_fen": 5800,
        },
    ],
}
POOL = ["13911110000", "13911112222", "13911113333", "13911118888", "13911110168", "13911114444", "13911115888"]


def pool_numbers():
    return {n: PoolNumber(n, "mobile", "0571", status="free") for n in POOL}


@pytest.fixture
def clock(monkeypatch):
    from core.products import model as products_model
    from plugins.phone import clock as phone_clock

    class Clock:
        moment = NOW

        def advance(self, **delta):
            self.moment += dt.timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(phone_clock, "now", lambda: c.moment)
    monkeypatch.setattr(products_model, "now", lambda: c.moment)  # dated changes fall due on the same clock
    return c


@pytest.fixture
def world(hall_factory, clock):
    """alpha enables phone with a pool of a few numbers; two customers (the second with another ID number)."""
    from core.testing.payments import FakePaymentPlugin

    lines = LineConnectorPlugin()
    calls, fail = [], {}
    pay = FakePaymentPlugin()
    harness = hall_factory(
        [
            TenantSpec(
                "alpha",
                plugins=["testprod", "phone"],
                connector={"type": "linefake"},
                products={"offerings": OFFERINGS},
                payments={"providers": ["fake"]},
                plugin_settings={"phone": SETTINGS},
            ),
        ],
        extra_plugins={"linefake": lines, "testprod": make_plugin(calls, fail), "fakepay": pay},
    )
    harness.payments = pay
    person = make_customer(1, numbers=(MOBILE,), email="cust@example.com")
    other = make_customer(2, numbers=("13900000009",))
    conn = lines.connectors["alpha"]
    conn.customers.append(other)
    conn.lines[MOBILE] = line(MOBILE, person.legacy_id, "T58", 5800)
    conn.pool.update(pool_numbers())

    async def free_numbers(query):
        rows = [p for n, p in sorted(conn.pool.items()) if p.status == "free" and n > query.after]
        rows = [p for p in rows if not query.ends_with or p.number.endswith(query.ends_with)]
        rows = [p for p in rows if not query.without or not set(query.without) & set(p.number)]
        rows = [p for p in rows if not query.contains or query.contains in p.number]
        page = rows[: query.limit]
        return NumberPage(page, page[-1].number if len(rows) > query.limit else "")

    conn.free_numbers = free_numbers
    account = register_customer(harness, "alpha", person)
    sync(harness, "alpha")
    w = World(harness, lines, calls, fail, account, person.legacy_id)
    w.other_account = register_customer(harness, "alpha", other)
    return w
