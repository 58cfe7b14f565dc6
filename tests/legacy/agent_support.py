"""Recipes for DB agent tests: module-level, so a spawned agent process can unpickle them."""

from __future__ import annotations

import os


def dies_at_start(*_args):
    """A connector factory whose process ends at once, as a script without a main guard would."""
    os._exit(3)


def refuses(*_args):
    """A connector factory that fails with an error the parent should see as itself."""
    raise ConnectionError("legacy database refused the agent's connection")
