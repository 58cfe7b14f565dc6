import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "products"))

from product_support import build, clock  # noqa: E402, F401  (clock: the fixture)


@pytest.fixture
def world(hall_factory):
    """The products test hall with the plans plugin enabled for ``alpha`` (``beta`` does not enable it)."""
    return build(hall_factory, plugins=("plans",), payments=True)
