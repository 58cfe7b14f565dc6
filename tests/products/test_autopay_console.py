"""An operator ends a customer's automatic payment from the console's customer view: a reason is required, the
provider is told, the audit entry carries the operator and the reason, a view-only operator sees no button, and
another tenant's operator cannot reach the agreement. SQLite, or PostgreSQL with HALL_TEST_DB=postgres."""

from __future__ import annotations

import pytest
from autopay_support import APP_ID, agreement_row, autopay_world, sign, start_sandbox

from core.audit import AuditLog
from core.testing import add_operator

HANDLER = ["core.products.view", "core.products.handle", "core.customers.view"]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("autopay-console-sandbox"))
    yield running
    running.stop()


@pytest.fixture
def world(hall_factory, sandbox):
    return autopay_world(hall_factory, sandbox)


def _operator(world, login: str, permissions: list[str], tenant: str = "alpha"):
    add_operator(world.harness, tenant, login, permissions)
    client = world.harness.client(tenant)
    client.login_operator(login)
    return client


def test_an_operator_cancels_an_agreement_with_a_reason(world, sandbox):
    agreement = sign(world, sandbox, "A1")
    public_id = agreement["public_id"]
    operator = _operator(world, "li", HANDLER)
    view = operator.get(f"/console/customers/{world.customer}")
    assert view.status_code == 200 and f'/console/agreements/{public_id}/cancel"' in view.text

    no_reason = operator.post(f"/console/agreements/{public_id}/cancel", {"reason": "   "})
    assert no_reason.status_code == 303 and no_reason.headers["location"].endswith("?autopay=reason#autopay")
    assert agreement_row(world, public_id)["state"] == "active"
    shown = operator.get(f"/console/customers/{world.customer}?autopay=reason").text
    assert "请填写解约原因。" in shown  # tenant alpha speaks zh_CN

    done = operator.post(f"/console/agreements/{public_id}/cancel", {"reason": "客户来电要求解约"})
    assert done.status_code == 303 and "autopay=cancelled" in done.headers["location"]
    row = agreement_row(world, public_id)
    assert (row["state"], row["reason"]) == ("cancelled", "operator")
    assert sandbox.agreements.get(APP_ID, public_id)["status"] == "UNSIGN"
    [entry] = world.run(
        lambda: AuditLog.select().where((AuditLog.object_id == public_id) & (AuditLog.action == "agreement.cancel"))
    )
    assert entry["actor_kind"] == "operator" and "客户来电要求解约" in entry["summary"]
    page = operator.get(f"/console/customers/{world.customer}?autopay=cancelled").text
    assert "工作人员解约" in page and "自动扣款已解约。" in page

    again = operator.post(f"/console/agreements/{public_id}/cancel", {"reason": "twice"})
    assert "autopay=ended" in again.headers["location"]
    audits = world.run(lambda: AuditLog.select().where(AuditLog.action == "agreement.cancel"))
    assert len(audits) == 1  # the second click changed nothing and wrote nothing


def test_only_operators_who_handle_products_of_the_tenant_can_cancel(world, sandbox):
    agreement = sign(world, sandbox, "A1")
    public_id = agreement["public_id"]
    viewer = _operator(world, "zhao", ["core.products.view", "core.customers.view"])
    assert f"/console/agreements/{public_id}/cancel" not in viewer.get(f"/console/customers/{world.customer}").text
    assert viewer.post(f"/console/agreements/{public_id}/cancel", {"reason": "x"}).status_code == 403
    stranger = _operator(world, "qian", HANDLER, tenant="beta")
    assert stranger.post(f"/console/agreements/{public_id}/cancel", {"reason": "x"}).status_code == 404
    assert agreement_row(world, public_id)["state"] == "active"
