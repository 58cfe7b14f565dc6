"""The one clock of sign-in, codes and throttles: tests move it (monkeypatch ``now``) instead of sleeping."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """The current UTC time. Callers look it up as ``clock.now()`` so a test's replacement is seen everywhere."""
    return dt.datetime.now(dt.timezone.utc)
