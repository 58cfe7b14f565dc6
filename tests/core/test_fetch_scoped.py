"""core.db.engine.fetch_scoped: plain-SQL reads of tenant-owned tables, scoped centrally."""

from __future__ import annotations

import pytest

from core.db.engine import fetch_scoped
from core.db.scoping import TenantScopeError
from core.testing import make_customer, sync


def test_reads_only_the_current_tenants_rows(hall):
    for tenant, name in (("alpha", "甲"), ("beta", "乙")):
        hall.connectors[tenant].customers.append(make_customer(1, name=name))
        sync(hall, tenant)
    sql = "SELECT name FROM core_customer WHERE tenant = {tenant} AND legacy_id = {}"
    assert hall.in_tenant("alpha", fetch_scoped, sql, "C00001") == [{"name": "甲"}]
    assert hall.in_tenant("beta", fetch_scoped, sql, "C00001") == [{"name": "乙"}]


def test_refuses_sql_without_the_tenant_a_call_outside_one_and_wrong_arity(hall):
    with pytest.raises(TenantScopeError, match="needs \\{tenant\\}"):
        hall.in_tenant("alpha", fetch_scoped, "SELECT name FROM core_customer WHERE legacy_id = {}", "C00001")
    with pytest.raises(TenantScopeError, match="current tenant"):
        hall.run(fetch_scoped("SELECT name FROM core_customer WHERE tenant = {tenant}"))
    with pytest.raises(TypeError, match="2 values for 1 placeholders"):
        hall.in_tenant(
            "alpha", fetch_scoped, "SELECT name FROM core_customer WHERE tenant = {tenant} AND legacy_id = {}", "a", "b"
        )
