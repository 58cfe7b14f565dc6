"""The plugin's clock: the payment core's (UTC); one place for tests to set the time."""

from __future__ import annotations

import datetime as dt

from core.api import payments


def now() -> dt.datetime:
    return payments.now()
