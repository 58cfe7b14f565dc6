"""Plugins import the core only through its public API (``core.api`` and its submodules, docs/plugins.md).

Every ``.py`` under ``plugins/`` (and the tutorial's plugin, docs/tutorial/) is parsed (top-level imports, imports inside
functions, and ``importlib.import_module("core…")`` calls); any other core module
fails the test with file:line and the module, so a bundled plugin can never lean
on a name the core is free to change. The parsing lives in core/plugin_rules/imports.py, which
``hall check-plugin`` uses too.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import core.api
from core.plugin_rules.imports import PUBLIC, forbidden_imports

REPO = Path(__file__).resolve().parents[2]


def test_plugins_import_only_the_public_api():
    files = sorted((REPO / "plugins").rglob("*.py")) + sorted((REPO / "docs" / "tutorial").rglob("*.py"))
    assert len(files) > 50  # the bundled plugins (and the tutorial's outside plugin) are there to check
    offences = [
        f"{path.relative_to(REPO)}:{line}: imports {module}"
        for path in files
        for line, module in forbidden_imports(path.read_text(encoding="utf-8"))
    ]
    assert not offences, "plugins may import only core.api and its submodules (docs/plugins.md):\n" + "\n".join(
        offences
    )


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import core.web.render", [(1, "core.web.render")]),
        ("import core", [(1, "core")]),
        ("from core.db import TenantTable", [(1, "core.db")]),
        ("from core import pdf, api", [(1, "core.pdf")]),
        ("def f():\n    from core.web.console_pages import _page", [(2, "core.web.console_pages")]),
        ("import importlib\nimportlib.import_module('core.hall')", [(2, "core.hall")]),
        ("from importlib import import_module\nimport_module('core.legacy.ports')", [(2, "core.legacy.ports")]),
        ("from core.api import hookimpl\nfrom core.api.web import render\nimport core.api.db", []),
        ("from . import tables\nfrom .routes import HANDLERS\nfrom plugins.core_tools import x\nimport corelib", []),
    ],
)
def test_the_check_sees_every_way_of_importing(source, expected):
    assert forbidden_imports(source) == expected


def public_modules() -> list[str]:
    return [PUBLIC] + sorted(m.name for m in pkgutil.walk_packages(core.api.__path__, PUBLIC + "."))


@pytest.mark.parametrize("module_name", public_modules())
def test_every_public_name_resolves(module_name):
    module = importlib.import_module(module_name)
    assert module.__doc__ and module.__doc__.strip(), f"{module_name} needs a docstring saying what it is for"
    names = module.__all__
    assert names and len(names) == len(set(names)), f"{module_name}.__all__ is empty or repeats a name"
    missing = [name for name in names if not hasattr(module, name)]
    assert not missing, f"{module_name}.__all__ names what it does not define: {missing}"
    assert not [name for name in names if name.startswith("_")], f"{module_name} exports a private name"


def test_each_public_name_has_one_home():
    homes: dict[str, list[str]] = {}
    for module_name in public_modules():
        for name in importlib.import_module(module_name).__all__:
            homes.setdefault(name, []).append(module_name)
    assert {name: where for name, where in homes.items() if len(where) > 1} == {}
