"""docs/plugins.md, "The public API", lists every public module of core.api and every name each one exports."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import core.api

PLUGINS_MD = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
MODULES = ["core.api"] + sorted(m.name for m in pkgutil.walk_packages(core.api.__path__, "core.api."))


def subsections() -> dict[str, str]:
    """Module name → the text of its ``### `module`: …`` subsection inside "## The public API"."""
    text = PLUGINS_MD.read_text(encoding="utf-8")
    section = text.split("\n## The public API\n", 1)[1].split("\n## ", 1)[0]
    parts = re.split(r"^### `([\w.]+)`.*$", section, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_every_public_module_has_its_subsection():
    assert sorted(subsections()) == sorted(MODULES)


@pytest.mark.parametrize("module_name", MODULES)
def test_every_exported_name_is_listed(module_name):
    listed = set(re.findall(r"`([\w.]+)`", subsections()[module_name]))
    exported = set(importlib.import_module(module_name).__all__)
    assert sorted(exported - listed) == [], f"names of {module_name} missing from docs/plugins.md"
    first_cells = [line.split("|")[1] for line in subsections()[module_name].splitlines() if line.startswith("| `")]
    named = set(re.findall(r"`(\w+)`", "".join(first_cells)))
    assert sorted(named - exported) == [], f"docs/plugins.md lists names {module_name} does not export"
