"""The sqlbss connector's own tests; they build legacy databases with the legacy tests' helpers (tests/legacy)."""

import sys
from pathlib import Path

LEGACY_TESTS = str(Path(__file__).resolve().parents[2] / "legacy")
if LEGACY_TESTS not in sys.path:
    sys.path.insert(0, LEGACY_TESTS)

from legacy_fixtures import *  # noqa: E402, F403  (pytest finds fixtures by name in the conftest's namespace)
