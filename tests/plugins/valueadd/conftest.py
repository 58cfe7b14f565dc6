import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "products"))

from product_support import OFFERINGS, build, clock  # noqa: E402, F401  (clock: the fixture)

CALLER_ID = {
    "code": "caller-id",
    "specification": "valueadd",
    "name": {"zh_CN": "来电显示", "en": "Caller ID"},
    "terms": {"zh_CN": "按月从余额扣费", "en": "Charged monthly from your balance"},
    "monthly_fee_fen": 600,
    "charge_from": "balance",
}


@pytest.fixture
def world(hall_factory):
    """The products test hall with the valueadd plugin and its caller ID for ``alpha``."""
    return build(
        hall_factory, plugins=("valueadd",), beta_plugins=("valueadd",), products={"offerings": [*OFFERINGS, CALLER_ID]}
    )
