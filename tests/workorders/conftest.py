import pytest
from workorder_support import build


@pytest.fixture
def world(hall_factory):
    seen: list = []
    harness, ids = build(hall_factory, seen)
    return harness, ids, seen
