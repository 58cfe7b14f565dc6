"""The legacy tests' fixtures, shared by tests/legacy and tests/plugins/sqlbss (each conftest imports them).

``hall_db`` is a fresh hall database per test: SQLite in ``tmp_path`` by
default, or - with ``HALL_TEST_DB=postgres`` - a uniquely named PostgreSQL
database created on ``HALL_TEST_PG_URL`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``) and dropped afterwards.
Each pytest-xdist worker is its own process, so binding the tables to one
engine per test is safe.
"""

from __future__ import annotations

import pytest
from billing_support import BillingLegacy
from legacy_support import ON_POSTGRES, SECRET, Legacy, create_pg_database, drop_pg_database, pg_url

from core.db import Database
from core.testing.databases import create_core_tables


@pytest.fixture
async def hall_db(tmp_path):
    name = await create_pg_database() if ON_POSTGRES else None
    url = pg_url(name) if name else f"sqlite:///{tmp_path}/hall.sqlite3"
    db = Database(url, root=tmp_path)
    await db.connect()
    try:
        await create_core_tables()
        yield db
    finally:
        await db.disconnect()
        if name:
            await drop_pg_database(name)


@pytest.fixture
async def make_legacy(tmp_path):
    """Factory: ``make_legacy(style, subscribers=120, seed=1)``; connectors are closed afterwards."""
    made: list[Legacy] = []

    def make(style: str, subscribers: int = 120, seed: int = 1) -> Legacy:
        made.append(Legacy(tmp_path, style, subscribers, seed))
        return made[-1]

    yield make
    for source in made:
        await source.connector.close()


@pytest.fixture(params=["jiangnan", "haibin"])
def legacy(request, make_legacy) -> Legacy:
    """One demo legacy system per style (the test runs once for each)."""
    return make_legacy(request.param)


@pytest.fixture
def secret() -> str:
    return SECRET


@pytest.fixture
async def make_billing(tmp_path):
    """Factory: ``make_billing(style, subscribers=40, months=2)``, a demo legacy system with bills and calls."""
    made: list[BillingLegacy] = []

    def make(style: str, subscribers: int = 40, months: int = 2) -> BillingLegacy:
        made.append(BillingLegacy(tmp_path, style, subscribers, months))
        return made[-1]

    yield make
    for legacy in made:
        await legacy.close()


@pytest.fixture(params=["jiangnan", "haibin"])
def billing(request, make_billing) -> BillingLegacy:
    return make_billing(request.param)
