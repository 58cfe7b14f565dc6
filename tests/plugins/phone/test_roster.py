"""The installers' roster on the console's appointments: each appointment shows its installer (the work order's
assignee), an operator assigns one (the work order is transferred to them, by the core's rules), and refusals -
an unknown installer, someone who may not hand the order on - are shown on the page."""

from __future__ import annotations

from test_order_mapping_doc import _form, customer

from core.api.products import ProductOrder
from core.testing import add_operator

DAY = "2026-03-16"


def paid_installation(world) -> dict:
    from core.payments.providers import GatewayResult
    from core.payments.settle import settle
    from core.products.orders import get_order

    a = customer(world)
    a.post("/phone/numbers", {"number": "13911110168"})
    assert a.post("/phone/apply", _form(plan="m58")).status_code == 303
    order = world.run(lambda: ProductOrder.select().first())
    assert a.post(f"/account/product-orders/{order['id']}/pay").status_code == 303
    intent = world.run(get_order, order["id"])["payment_intent"]
    world.harness.payments.gateway("alpha").pay(intent, order["amount_fen"])
    world.run(settle, world.harness.hall, "fake", GatewayResult(intent, "T-1", "succeeded", order["amount_fen"], {}))
    order = world.run(get_order, order["id"])
    assert order["workorder_id"]
    return order


def test_an_operator_assigns_an_installer_to_an_appointment(world):
    order = paid_installation(world)
    add_operator(world.harness, "alpha", "lead", ["phone.pool", "core.workorders.handle"])
    li = add_operator(world.harness, "alpha", "li", ["core.workorders.handle"])
    add_operator(world.harness, "alpha", "zhao", ["phone.pool", "core.workorders.handle"])
    op = world.harness.client("alpha")
    op.login_operator("lead")
    page = op.get("/phone/console/appointments", params={"date": DAY})
    assert f'data-order="{order["id"]}"' in page.text and 'data-installer=""' in page.text
    assert f'<option value="{li}"' in page.text  # no installing department: every operator may be sent

    bad = op.post("/phone/console/appointments/assign", {"order": order["id"], "operator": "999999", "date": DAY})
    assert bad.status_code == 400 and "assign-error" in bad.text
    assert "请选择该部门的在职成员" in bad.text or "Choose an active member of the department." in bad.text
    r = op.post("/phone/console/appointments/assign", {"order": order["id"], "operator": li, "date": DAY})
    assert r.status_code == 303 and DAY in r.headers["location"]
    page = op.get("/phone/console/appointments", params={"date": DAY})
    assert f'data-installer="{li}"' in page.text

    other = world.harness.client("alpha")
    other.login_operator("zhao")  # li owns the work order now: zhao may not hand it on
    refused = other.post("/phone/console/appointments/assign", {"order": order["id"], "operator": li, "date": DAY})
    assert refused.status_code == 400 and "assign-error" in refused.text
    assert "transfer it" in refused.text or "转派" in refused.text  # the core's reason, in the operator's language
    missing = op.post("/phone/console/appointments/assign", {"order": "0", "operator": li, "date": DAY})
    assert missing.status_code == 400
