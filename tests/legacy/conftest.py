"""The legacy seam's tests: fixtures in legacy_fixtures.py (tests/plugins/sqlbss uses them too)."""

from legacy_fixtures import *  # noqa: F403  (pytest finds fixtures by name in the conftest's namespace)
