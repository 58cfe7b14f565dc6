import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from product_support import build, clock  # noqa: E402, F401  (clock: the fixture)


@pytest.fixture
def world(hall_factory):
    return build(hall_factory)
