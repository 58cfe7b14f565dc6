"""The conformance kit against core.testing.FakeConnector (customers and write-back): the fake the plugin tests lean on must behave like a real connector."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from core.testing import FakeConnector, make_customer
from core.testing.conformance import ConnectorConformance


def legacy_customers() -> list:
    """Twenty customers, several sharing one change time (a bulk import), one with two numbers."""
    bulk = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.timezone.utc)
    people = [make_customer(n) for n in range(1, 21)]
    people[:8] = [replace(c, changed_at=bulk) for c in people[:8]]
    people[3] = make_customer(4, numbers=("13900000004", "057188880004"), phone="13900000004")
    return people


class TestFakeConnector(ConnectorConformance):
    @pytest.fixture
    def fake(self) -> FakeConnector:
        return FakeConnector(customers=legacy_customers())

    @pytest.fixture
    def connector_factory(self, fake):
        return lambda: fake  # one legacy system: every "new connector" talks to the same one

    @pytest.fixture
    def unreachable_connector(self):
        return FakeConnector(customers=legacy_customers(), down=True)

    @pytest.fixture
    def writeback_effects(self, fake):
        return lambda event_id: 1 if event_id in fake.events else 0

    @pytest.fixture
    def legacy_ids(self):
        return {"customers": {c.legacy_id for c in legacy_customers()}}
