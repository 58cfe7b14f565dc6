import pytest
from shop_support import build


@pytest.fixture
def world(hall_factory):
    return build(hall_factory)
