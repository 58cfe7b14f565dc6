"""No customer or operator of one tenant can read or change anything of another.

The routes are enumerated from the running app, so every route a later plugin
adds is attacked too, with every id that exists in the other tenant's tables.
"""

from __future__ import annotations

import re

import pytest
from litestar.routes import HTTPRoute

from core.db.scoping import all_tenants, tenant_tables
from core.testing import TenantSpec, add_operator, make_customer, register_customer

BETA_MARKERS = ("贝塔客户", "beta-op-zz9", "BETA-NOTICE-ZZ", "beta-role-zz9")
PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
SESSION_ENDERS = ("/logout", "/console/logout")


async def snapshot(tenant_id: str) -> dict[str, list]:
    with all_tenants():
        return {
            t._meta.tablename: await t.select().where(t.tenant == tenant_id).order_by(t._meta.primary_key)
            for t in tenant_tables()
        }


def concrete_paths(path: str, ints: list[int], strings: list[str]) -> list[str]:
    params = PARAM.findall(path)
    if not params:
        return [path]
    paths = [path]
    for name, kind in params:
        values = [str(i) for i in ints] if kind == "int" else (["hall.css"] if kind == "path" else strings)
        pattern = "{" + name + (":" + kind if kind else "") + "}"
        paths = [p.replace(pattern, v) for p in paths for v in values]
    return paths


@pytest.fixture
def world(hall_factory):
    harness = hall_factory([TenantSpec("alpha", plugins=["notices"]), TenantSpec("beta", plugins=["notices"])])
    alpha_customer, beta_customer = make_customer(31), make_customer(32, name="贝塔客户")
    register_customer(harness, "alpha", alpha_customer)
    register_customer(harness, "beta", beta_customer)
    add_operator(harness, "alpha", "alpha-op")
    add_operator(harness, "beta", "beta-op-zz9", role="beta-role-zz9")
    beta_op = harness.client("beta")
    beta_op.login_operator("beta-op-zz9")
    assert (
        beta_op.post(
            "/notices/manage", {"title": "BETA-NOTICE-ZZ", "body": "BETA-NOTICE-ZZ body", "published": "on"}
        ).status_code
        == 303
    )
    return harness, alpha_customer, beta_customer


def _ids_of(snap: dict[str, list]) -> list[int]:
    return sorted({row["id"] for rows in snap.values() for row in rows})


def _attack(harness, client, ints, strings, relogin):
    before = harness.run(snapshot("beta"))
    probes = 0
    for route in harness.app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
            for path in concrete_paths(route.path, ints, strings):
                if method == "GET":
                    r = client.get(path, params={"q": strings[0], "actor": "beta-op"}, follow_redirects=False)
                    assert r.status_code < 500, f"GET {path} -> {r.status_code}"
                    leaked = [m for m in BETA_MARKERS if m in r.text]
                    assert not leaked, f"GET {path} shows {leaked} of tenant beta"
                elif path not in SESSION_ENDERS:
                    form = {
                        "title": "x",
                        "body": "x",
                        "name": "x",
                        "username": "x",
                        "display_name": "x",
                        "number": strings[0],
                        "id_number": strings[1],
                        "password": "Passw0rd-x",
                        "permissions": "core.audit.view",
                    }
                    r = client.post(path, form) if method == "POST" else client.http.request(method, client.url(path))
                    assert r.status_code < 500, f"{method} {path} -> {r.status_code}"
                    relogin()
                probes += 1
    after = harness.run(snapshot("beta"))
    assert after == before, "a request on tenant alpha changed tenant beta's data"
    return probes


def test_alpha_operator_cannot_read_or_change_beta(world):
    harness, _, beta_customer = world
    ints = _ids_of(harness.run(snapshot("beta")))
    strings = [beta_customer.legacy_id, beta_customer.id_number, beta_customer.numbers[0].number]
    client = harness.client("alpha")
    client.login_operator("alpha-op")
    probes = _attack(harness, client, ints, strings, lambda: None)
    assert probes > 40  # the enumeration really covered the app


def test_alpha_customer_cannot_read_or_change_beta(world):
    harness, alpha_customer, beta_customer = world
    ints = _ids_of(harness.run(snapshot("beta")))
    strings = [beta_customer.numbers[0].number, beta_customer.id_number, beta_customer.legacy_id]
    client = harness.client("alpha")
    client.login_customer(alpha_customer.numbers[0].number)
    _attack(harness, client, ints, strings, lambda: None)
    # linking the other tenant's customer number is refused too
    r = client.post("/account/link", {"number": beta_customer.numbers[0].number, "id_number": beta_customer.id_number})
    assert r.status_code == 400


def test_a_session_of_one_tenant_is_worthless_on_another(world):
    harness, alpha_customer, _ = world
    alpha = harness.client("alpha")
    alpha.login_customer(alpha_customer.numbers[0].number)
    alpha.login_operator("alpha-op")
    stolen = dict(alpha.http.cookies)
    beta = harness.client("beta")
    for name, value in stolen.items():
        beta.http.cookies.set(name, value)
    assert beta.get("/account", follow_redirects=False).status_code == 303
    assert beta.get("/console", follow_redirects=False).status_code == 303
    # the same through the /t/<tenant>/ prefix on a shared host
    shared = harness.client("beta", via_prefix=True)
    for name, value in stolen.items():
        shared.http.cookies.set(name, value)
    assert shared.get("/account", follow_redirects=False).status_code == 303


def test_scoped_queries_refuse_to_run_without_a_tenant(world):
    from core.auth.tables import Customer
    from core.db.scoping import TenantScopeError

    harness = world[0]
    with pytest.raises(TenantScopeError):
        harness.run(Customer.select().run())
    with pytest.raises(TenantScopeError):
        Customer.raw("select * from core_customer")
