"""pytest fixtures for the core's tests and for plugin authors (``pytest_plugins = ["core.testing.fixtures"]``)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable

import pytest

from core.hall import Hall
from core.testing.databases import TestDatabases
from core.testing.fakes import FakeConnector, FakeConnectorPlugin
from core.testing.harness import HallHarness, TenantSpec, write_hall
from core.testing.mail import MailSink

DEFAULT_TENANTS = (("alpha", ["notices"]), ("beta", []))


def build_hall(config: Path, extra_plugins: dict[str, Any] | None = None) -> tuple[Hall, dict[str, FakeConnector]]:
    connectors: dict[str, FakeConnector] = {}
    plugins = {"fake-connector": FakeConnectorPlugin(connectors), **(extra_plugins or {})}
    hall = Hall.from_config(config, extra_plugins=plugins)
    hall.db.use_pool = False
    return hall, connectors


@pytest.fixture(scope="session")
def hall_databases(tmp_path_factory) -> TestDatabases:
    """This worker's migrated template database; every test gets a fresh copy."""
    from core.db.migrate import migrate

    work = tmp_path_factory.mktemp("hall-db")
    dbs = TestDatabases(work)
    config = write_hall(work / "template-hall", [TenantSpec("alpha")], database_url=dbs.template_url())
    hall, _ = build_hall(config)

    async def go():
        try:
            await migrate(hall)
        finally:
            await hall.db.disconnect()

    asyncio.run(go())
    dbs.finish_template()
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def mail_sink() -> MailSink:
    """A real SMTP server on loopback; every test hall sends its mail here."""
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def hall_factory(tmp_path, hall_databases, mail_sink) -> Callable[..., HallHarness]:
    """``hall_factory(tenants=[TenantSpec(...)], extra_plugins={name: plugin}, deployment={...})`` → a running HallHarness.

    Extra plugins live in that hall's own plugin manager, so nothing leaks into
    the next test. Plugins with tables: call ``harness.run(migrate(harness.hall))``.
    """
    made: list[tuple[HallHarness, str]] = []

    def make(
        tenants: list[TenantSpec] | None = None,
        extra_plugins: dict[str, Any] | None = None,
        deployment: dict[str, dict] | None = None,
    ) -> HallHarness:
        specs = tenants or [TenantSpec(tid, plugins=list(plugins)) for tid, plugins in DEFAULT_TENANTS]
        url = hall_databases.fresh(tmp_path)
        config = write_hall(
            tmp_path / f"hall{len(made)}", specs, database_url=url, mail_port=mail_sink.port, deployment=deployment
        )
        hall, connectors = build_hall(config, extra_plugins)
        for spec in specs:
            connectors.setdefault(spec.id, FakeConnector())
        harness = HallHarness(hall, connectors)
        made.append((harness, url))
        return harness

    yield make
    for harness, url in made:
        harness.close()
        hall_databases.drop(url)


@pytest.fixture
def hall(hall_factory) -> HallHarness:
    """Two tenants: ``alpha`` (notices enabled) and ``beta`` (no plugins), each with a FakeConnector."""
    return hall_factory()


@pytest.fixture
def test_plugin(hall):
    """``test_plugin(obj, name)`` registers a plugin on the ``hall`` fixture's manager; always unregistered after.

    Only hooks called on the whole manager reach it (no tenant enables it, and
    the app's routes are already built): for per-tenant hooks or routes build a
    hall with ``hall_factory(..., extra_plugins={name: plugin})`` instead.
    """
    names: list[str] = []

    def register(plugin: Any, name: str = "test-plugin") -> Any:
        hall.hall.plugins.register(plugin, name, "test")
        names.append(name)
        return plugin

    yield register
    for name in names:
        hall.hall.plugins.unregister(name)
