"""The conformance kit against sqlbss over both demo legacy systems, each on SQLite and on PostgreSQL.

The mapping is the demo tenants' own ``[connector]`` (tenants/<style>/tenant.toml,
with bills, calls and the write-back inbox); only the URL points at the test copy.
"""

from __future__ import annotations

import asyncio

import pytest
from conformance_legacy import ENGINES, REPO, LegacyOnEngine, need_engine, tenant_connector

from core.demo.era import FIXED_END_MONTH
from core.demo.legacy_db import generate_legacy_db
from core.testing.conformance import BrokenMapping, ConnectorConformance

BROKEN = {"jiangnan": ("KH_KHXX", "KHMC_TYPO"), "haibin": ("CRM_CUST", "CUST_NAME_TYPO")}


class SqlBssDemo(ConnectorConformance):
    style = ""

    @pytest.fixture(params=ENGINES)
    def demo_legacy(self, request, tmp_path) -> LegacyOnEngine:
        need_engine(request.param)
        tenant_toml = REPO / "tenants" / self.style / "tenant.toml"
        legacy = LegacyOnEngine(tmp_path, request.param, tenant_connector(tenant_toml), tmp_path / "tenant.toml")
        generate_legacy_db(legacy.path, end_month=FIXED_END_MONTH, subscribers=12, style=self.style, months=1)
        asyncio.run(legacy.start())
        yield legacy
        asyncio.run(legacy.stop())

    @pytest.fixture
    def connector_factory(self, demo_legacy):
        return demo_legacy.connector

    @pytest.fixture
    def broken_mapping(self, demo_legacy) -> BrokenMapping:
        table, typo = BROKEN[self.style]
        return BrokenMapping(
            demo_legacy.connector(customers={"name": typo}),
            demo_legacy.tenant_file,
            "connector.customers.name",
            (table, typo),
        )

    @pytest.fixture
    def unreachable_connector(self, demo_legacy):
        return demo_legacy.unreachable()

    @pytest.fixture
    def writeback_effects(self, demo_legacy):
        inbox = demo_legacy.config["writeback"]
        return lambda event_id: demo_legacy.inbox_count(inbox["table"], inbox["event_id"], event_id)


class TestJiangnan(SqlBssDemo):
    style = "jiangnan"


class TestHaibin(SqlBssDemo):
    style = "haibin"
