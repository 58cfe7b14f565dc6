"""kill -9 between the payment and the card's allocation: after a restart the paid order has exactly one card.

The child (shop_crash_driver.py) runs the real notification handler and the
shop's fulfilment on the test hall's own database (SQLite, or PostgreSQL with
HALL_TEST_DB=postgres), for a tenant on the demo BSS (sqlbss).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2] / "legacy"))

from billing_support import full_config  # noqa: E402
from shop_support import make_catalog  # noqa: E402

from core.api.payments import get_intent, start_checkout  # noqa: E402
from core.api.testing import FakePaymentPlugin, TenantSpec  # noqa: E402
from core.demo.era import FIXED_END_MONTH  # noqa: E402
from core.demo.legacy_db import generate_legacy_db  # noqa: E402
from core.testing.crash import child_env, kill_at, python, run_once  # noqa: E402
from plugins.shop import batches  # noqa: E402
from plugins.shop.checkout import checkout  # noqa: E402
from plugins.shop.pins import keys_for  # noqa: E402
from plugins.shop.settings import ShopSettings  # noqa: E402
from plugins.shop.tables import Card, Order, Product  # noqa: E402

DRIVER = str(Path(__file__).with_name("shop_crash_driver.py"))


def shop_hall(hall_factory, tmp_path: Path):
    path = tmp_path / "legacy.sqlite3"
    generate_legacy_db(path, end_month=FIXED_END_MONTH, subscribers=3, style="jiangnan", months=1)
    connector = {**full_config("jiangnan"), "url": f"sqlite:///{path}"}
    spec = TenantSpec("jiangnan", plugins=["shop"], connector=connector, payments={"providers": ["fake"]})
    return hall_factory([spec], extra_plugins={"fakepay": FakePaymentPlugin()})


def open_orders(h, n):
    async def go():
        products = await make_catalog()
        batch = await batches.generate(keys_for(h.hall, h.tenant("jiangnan")), products["P50"], 4, digits=18)
        await batches.stock(batch["id"])
        product = await Product.select().where(Product.code == "P50").first()
        out = []
        for i in range(n):
            _order, intent = await checkout(
                h.hall, h.tenant("jiangnan"), ShopSettings(), product=product, customer_id=f"C{i}", subject="card"
            )
            await start_checkout(h.hall, intent.id, channel="pc", return_url="http://a/r", notify_url="http://a/n")
            out.append(f"{intent.id}:{intent.amount_fen}")
        return out

    return h.in_tenant("jiangnan", go)


def test_killed_between_payment_and_allocation_the_order_gets_exactly_one_card(hall_factory, tmp_path):
    h = shop_hall(hall_factory, tmp_path)
    items = open_orders(h, 2)
    env = child_env(HALL_CONFIG=str(h.hall.settings.config_file))
    killed = kill_at(python(DRIVER, "jiangnan", *items), "paid#2", env=env)
    assert killed.lines("progress settled")[0].endswith("success")
    first, second = (i.split(":")[0] for i in items)
    assert h.in_tenant("jiangnan", get_intent, first).state == "succeeded"
    assert h.in_tenant("jiangnan", get_intent, second).state == "pending"  # the kill rolled the settlement back
    states = {o["intent_id"]: o for o in h.in_tenant("jiangnan", lambda: Order.select())}
    assert states[first]["state"] == "fulfilled" and states[second]["state"] == "created"
    resumed = run_once(python(DRIVER, "jiangnan", *items), env=env)  # the gateway notifies again
    assert resumed.returncode == 0, resumed.output[-20:]
    assert len(resumed.lines("progress paid")) == 1  # only the second is allocated now; the first was a duplicate
    orders = h.in_tenant("jiangnan", lambda: Order.select())
    assert {o["state"] for o in orders} == {"fulfilled"} and len({o["card_id"] for o in orders}) == 2
    sold = h.in_tenant("jiangnan", lambda: Card.select(Card.id, Card.order_id).where(Card.state == "sold"))
    assert sorted(c["id"] for c in sold) == sorted(o["card_id"] for o in orders)  # one card each, no more
