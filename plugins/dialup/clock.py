"""The plugin's clock (UTC); tests replace ``clock.now``."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
