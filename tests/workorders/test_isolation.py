"""Work-order routes leak nothing across tenants: every route of the app, attacked with every id of tenant beta.

tests/isolation enumerates routes too, but its world has no work orders; this one has.
"""

from __future__ import annotations

import re

from litestar.routes import HTTPRoute
from workorder_support import build, customer, operator

from core.db.scoping import all_tenants
from core.testing import add_operator
from core.workorders import comment, open_order, transition
from core.workorders.tables import TABLES

PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
MARKER = "BETA-SECRET-ZZ7"


async def snapshot(tenant_id):
    with all_tenants():
        return {
            t._meta.tablename: await t.select().where(t.tenant == tenant_id).order_by(t._meta.primary_key)
            for t in TABLES
        }


def test_alpha_cannot_reach_betas_work_orders(hall_factory):
    harness, ids = build(hall_factory)
    b = ids["beta"]
    order = harness.in_tenant(
        "beta",
        open_order,
        harness.hall,
        "testwo.ticket",
        {"topic": "other", "text": MARKER},
        title=MARKER,
        actor=customer(b),
    )
    harness.in_tenant("beta", transition, harness.hall, order["id"], "start", operator(b, "ann", "beta"))
    harness.in_tenant("beta", comment, harness.hall, order["id"], operator(b, "ann", "beta"), MARKER, public=True)
    add_operator(harness, "alpha", "alpha-all")  # every permission, supervise included
    before = harness.run(snapshot("beta"))
    beta_ids = sorted({row["id"] for rows in before.values() for row in rows})
    alpha_op, alpha_customer = harness.client("alpha"), harness.client("alpha")
    alpha_op.login_operator("alpha-all")
    alpha_customer.login_customer(ids["alpha"]["customer_number"])
    probes = 0
    for route in harness.app.routes:
        if not isinstance(route, HTTPRoute) or not any(
            p in route.path for p in ("workorders", "departments", "requests")
        ):
            continue
        paths = [route.path]
        for name, kind in PARAM.findall(route.path):
            paths = [
                p.replace("{" + name + (":" + kind if kind else "") + "}", str(i)) for p in paths for i in beta_ids
            ]
        for client in (alpha_op, alpha_customer):
            for path in paths:
                if "GET" in route.methods:
                    r = client.get(path, params={"q": "SECRET", "queue": "all"})
                    assert r.status_code < 500 and MARKER not in r.text, f"GET {path}: {r.status_code}"
                if "POST" in route.methods:
                    r = client.post(
                        path,
                        {
                            "action": "resolve",
                            "comment": "x",
                            "reason": "x",
                            "department": "CS",
                            "code": "CS",
                            "name": "x",
                            "rating": "5",
                            "operator": str(b["ann"]),
                        },
                    )
                    assert r.status_code < 500, f"POST {path}: {r.status_code}"
                probes += 1
    assert probes > 30
    assert harness.run(snapshot("beta")) == before
