"""Payment tests: a hall whose tenant ``alpha`` takes money with the fake gateway for the test-only ``shop`` plugin."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import shop_plugin  # noqa: E402

from core.testing import TenantSpec  # noqa: E402
from core.testing.payments import FakePaymentPlugin  # noqa: E402


@pytest.fixture
def pay(hall_factory):
    """(harness, fake payment plugin): ``alpha`` enables ``shop`` and the fake provider; ``beta`` takes no money."""
    plugin = FakePaymentPlugin()
    harness = hall_factory(
        [TenantSpec("alpha", plugins=["shop"], payments={"providers": ["fake"]}), TenantSpec("beta")],
        extra_plugins={"fakepay": plugin, "shop": shop_plugin},
    )
    return harness, plugin
