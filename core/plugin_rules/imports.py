"""The public-API rule: a plugin imports from the core only ``core.api`` and its submodules.

Sources are parsed, not imported: top-level imports, imports inside functions
and ``importlib.import_module("core…")`` / ``__import__("core…")`` calls are all
seen. Used by ``check_plugin`` and by tests/conformance/test_plugin_imports.py.
"""

from __future__ import annotations

import ast

PUBLIC = "core.api"


def is_public(module: str) -> bool:
    return module == PUBLIC or module.startswith(PUBLIC + ".")


def is_core(module: str) -> bool:
    return module == "core" or module.startswith("core.")


def _dynamic_import(node: ast.Call) -> str | None:
    """The module named by ``importlib.import_module("…")`` / ``import_module("…")`` / ``__import__("…")``."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
    if (
        name in ("import_module", "__import__")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def core_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every core module the source imports, however it imports it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "core":  # ``from core import pdf`` imports the module core.pdf
                found += [(node.lineno, f"core.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and (module := _dynamic_import(node)):
            found.append((node.lineno, module))
    return [(line, module) for line, module in found if is_core(module)]


def forbidden_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every core import outside the public API."""
    return [(line, module) for line, module in core_imports(source) if not is_public(module)]
