"""Payment tests: a hall whose tenant ``alpha`` takes money with the fake gateway for the test-only ``testshop`` plugin (the bundled ``shop`` has the plain name)."""

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
    """(harness, fake payment plugin): ``alpha`` enables ``testshop`` and the fake provider; ``beta`` takes no money."""
    plugin = FakePaymentPlugin()
    harness = hall_factory(
        [TenantSpec("alpha", plugins=["testshop"], payments={"providers": ["fake"]}), TenantSpec("beta")],
        extra_plugins={"fakepay": plugin, "testshop": shop_plugin},
    )
    return harness, plugin
