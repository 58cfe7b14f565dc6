import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from product_support import build  # noqa: E402


@pytest.fixture
def world(hall_factory):
    return build(hall_factory)


@pytest.fixture
def clock(monkeypatch):
    """The products clock, set by the test: ``clock.set(datetime)``; every products module reads model.now()."""
    import datetime as dt

    from core.products import model

    class Clock:
        moment = dt.datetime(2026, 3, 14, 2, 0, tzinfo=dt.timezone.utc)

        def set(self, moment):
            self.moment = moment

        def advance(self, **delta):
            self.moment = self.moment + dt.timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(model, "now", lambda: clock.moment)
    return clock
