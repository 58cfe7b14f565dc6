"""docs/configuration.md is exactly what the validators generate (regenerate it when a setting changes)."""

from __future__ import annotations

from pathlib import Path

from core.config.reference import render_reference

CONFIGURATION_MD = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_configuration_reference_is_current(hall_factory):
    harness = hall_factory()  # every built-in plugin is registered, whichever tenants enable it
    expected = render_reference(harness.hall.settings_models)
    actual = CONFIGURATION_MD.read_text(encoding="utf-8") if CONFIGURATION_MD.exists() else ""
    assert actual == expected, (
        "docs/configuration.md is out of date: run `.venv/bin/hall config-reference --output docs/configuration.md`"
    )
