"""Helpers shared by the legacy tests (imported by conftest.py and the test modules).

Kept out of conftest.py because pytest re-imports every conftest as the module
``conftest``: importing names from it is fragile once other folders add theirs.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from legacy_examples import EXAMPLES

from core.demo.era import FIXED_END_MONTH
from core.demo.legacy_db import generate_legacy_db
from core.tenancy import Brand, Tenant
from plugins.sqlbss.connector import SqlBssConnector
from core.testing.databases import create_scratch_database, drop_database, pg_url_for
from plugins.sqlbss.mapping import parse_mapping

PG_URL = os.environ.get("HALL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ON_POSTGRES = os.environ.get("HALL_TEST_DB") == "postgres"
SECRET = "test-secret-not-for-production"


def pg_url(database: str) -> str:
    return pg_url_for(database, PG_URL)


async def create_pg_database() -> str:
    return await create_scratch_database("hall_test", PG_URL)


async def drop_pg_database(name: str) -> None:
    await drop_database(name, PG_URL)


def make_tenant(tenant_id: str, path: Path, connector: dict | None = None) -> Tenant:
    path.mkdir(parents=True, exist_ok=True)
    return Tenant(
        id=tenant_id,
        name=f"{tenant_id} 网上营业厅",
        name_en=tenant_id,
        hosts=(f"{tenant_id}.localhost",),
        theme="default",
        language="zh_CN",
        brand=Brand(logo="", primary_colour="#0b5cad", accent_colour="#f39800", hotline="10000", footer=""),
        plugins=frozenset(),
        path=path,
        connector=connector or {},
    )


class Legacy:
    """A demo legacy database of one style with a tenant and a connector mapped onto it."""

    def __init__(self, root: Path, style: str, subscribers: int, seed: int = 1):
        self.root, self.style = root, style
        self.path = root / "var" / f"legacy-{style}.sqlite3"
        self.demo = generate_legacy_db(
            self.path, end_month=FIXED_END_MONTH, seed=seed, subscribers=subscribers, style=style
        )
        self.config = tomllib.loads(EXAMPLES[style])["connector"]
        self.tenant = make_tenant(style, root / "tenants" / style, self.config)
        self.tenant_file = self.tenant.path / "tenant.toml"
        self.connector = SqlBssConnector(
            parse_mapping(self.config, self.tenant_file), root=root, tenant_file=self.tenant_file
        )


async def read_all(connector, page: int, watermark: str = "") -> tuple[list, str]:
    """Page through ``customers_changed_since`` to the end; (customers, final watermark)."""
    customers = []
    while True:
        batch = await connector.customers_changed_since(watermark, page)
        assert len(batch.customers) <= page
        if not batch.customers:
            assert batch.watermark == watermark
            return customers, watermark
        customers += batch.customers
        watermark = batch.watermark
