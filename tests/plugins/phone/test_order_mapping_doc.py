"""docs/phone.md's example mapping of the order tables, exercised: the ``productOrder.completed`` of a real
installation (placed, paid and carried out in the hall) written by the sqlbss connector into ``YW_ZJDD`` with
exactly the TOML the document shows - one row for the line, none for the premium-number item, once."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import sys
import tomllib
from contextlib import closing
from pathlib import Path

from test_selection_and_install import _form, customer

from core.api.legacy import OutboxEvent

REPO = Path(__file__).resolve().parents[3]
LEGACY_TESTS = str(REPO / "tests" / "legacy")
if LEGACY_TESTS not in sys.path:
    sys.path.insert(0, LEGACY_TESTS)

from legacy_examples import EXAMPLES  # noqa: E402

ORDERS_DDL = """CREATE TABLE YW_ZJDD (DDBH VARCHAR(20) NOT NULL, HM VARCHAR(20) NOT NULL, KHBH VARCHAR(20),
  ZFBH VARCHAR(10), AZDZ VARCHAR(100), PRIMARY KEY (DDBH, HM))"""


def documented_mapping() -> str:
    """The TOML blocks of the section "Mapping the order tables" of docs/phone.md, as written there."""
    text = (REPO / "docs" / "phone.md").read_text(encoding="utf-8")
    section = text.split("## Mapping the order tables", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```toml\n(.*?)```", section, re.S)
    assert blocks, "docs/phone.md shows no mapping of the order tables"
    return "\n".join(blocks)


def lower_keys(value):
    if isinstance(value, dict):
        return {str(k).lower(): lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_keys(v) for v in value]
    return value


def completed_installation(world) -> dict:
    from core.payments.providers import GatewayResult
    from core.payments.settle import settle
    from core.products import lifecycle
    from core.products.orders import get_order
    from core.products.tables import ProductOrder
    from core.workorders import Actor, transition

    a = customer(world)
    a.post("/phone/numbers", {"number": "13911110168"})
    assert a.post("/phone/apply", _form(plan="m58")).status_code == 303
    order = world.run(lambda: ProductOrder.select().first())
    assert a.post(f"/account/product-orders/{order['id']}/pay").status_code == 303
    intent = world.run(get_order, order["id"])["payment_intent"]
    world.harness.payments.gateway("alpha").pay(intent, order["amount_fen"])
    hall, tenant = world.harness.hall, world.harness.tenant("alpha")
    world.run(settle, hall, "fake", GatewayResult(intent, "T-1", "succeeded", order["amount_fen"], {}))
    op = Actor("operator", None, "Wang", frozenset({"core.workorders.handle"}), superuser=True)
    wo = world.run(get_order, order["id"])["workorder_id"]
    for step in ("survey", "appointment", "install"):
        world.run(transition, hall, wo, f"finish_{step}", op)
    world.run(lifecycle.run_pending, hall, tenant)
    done = world.run(lambda: OutboxEvent.select().where(OutboxEvent.kind == "productOrder.completed").first())
    assert done is not None
    return done


def test_the_documented_order_mapping_writes_the_installation(world, tmp_path):
    from plugins.sqlbss.compose import connector_class
    from plugins.sqlbss.mapping import parse_mapping

    event = completed_installation(world)
    bss = tmp_path / "bss.sqlite3"
    with closing(sqlite3.connect(bss)) as conn:
        conn.execute(ORDERS_DDL)
        conn.commit()
    config = lower_keys(tomllib.loads(EXAMPLES["jiangnan"] + documented_mapping())["connector"])
    config["url"] = f"sqlite:///{bss}"
    tenant_file = tmp_path / "tenant.toml"
    mapping = parse_mapping(config, tenant_file)
    connector = connector_class(mapping)(mapping, root=tmp_path, tenant_file=tenant_file)

    async def write():
        try:
            for _ in range(2):  # a retry writes nothing more
                await connector.write_event(str(event["event_id"]), event["kind"], event["payload"])
        finally:
            await connector.close()

    asyncio.run(write())
    with closing(sqlite3.connect(bss)) as conn:
        rows = conn.execute("SELECT DDBH, HM, KHBH, ZFBH, AZDZ FROM YW_ZJDD").fetchall()
    payload = event["payload"]
    assert rows == [(payload["order"], "13911110168", payload["customer_id"], "T58", "文三路 100 号")]
