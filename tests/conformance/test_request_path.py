"""The request path (docs/architecture.md): handlers parse, authorise and render; services change things.

Every handler module (``routes.py`` and ``routes_*.py`` under ``core/`` and ``plugins/``) is parsed, and any
of these fails the test with file:line:

- a transaction: ``transaction()``, ``x.transaction()``;
- raw SQL: ``fetch``/``fetch_scoped`` (``core.db``), ``text(...)``/``sa.text(...)`` (SQLAlchemy),
  ``Table.raw(...)``, a string literal that starts with ``SELECT``/``INSERT``/``UPDATE``/``DELETE``/``WITH``;
- a write: ``Table.insert/update/delete(...)`` (``Table`` is a class name), ``bulk_upsert(...)``,
  ``row.save()``, ``row.remove()``.

Reads through the query builder (``Table.select``, ``count``, ``exists``, ``objects``) stay allowed in handlers:
a page that shows rows may ask for them. ``ALLOWED`` holds the justified exceptions, each with its reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\s+\S")
WRITES = ("insert", "update", "delete")
RAW_SQL_MODULES = ("core.db", "core.db.engine", "core.api.db")
SQLALCHEMY = ("sqlalchemy", "sa")

# (file, enclosing function, what) -> why the handler may do it. Keep it tiny: moving the code is the default.
ALLOWED: dict[tuple[str, str, str], str] = {}


def handler_modules() -> list[Path]:
    return sorted(
        path
        for folder in ("core", "plugins")
        for path in (REPO / folder).rglob("routes*.py")
        if path.name == "routes.py" or path.name.startswith("routes_")
    )


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """local name -> module it was imported from (``from core.db import transaction`` -> transaction: core.db)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.update({alias.asname or alias.name: node.module for alias in node.names})
        elif isinstance(node, ast.Import):
            names.update({alias.asname or alias.name.split(".")[0]: alias.name for alias in node.names})
    return names


def _what_call_does(call: ast.Call, imported: dict[str, str]) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        source = imported.get(func.id, "")
        if func.id == "transaction":
            return "transaction()"
        if func.id in ("fetch", "fetch_scoped") and source in RAW_SQL_MODULES:
            return f"raw SQL {func.id}()"
        if func.id == "text" and source.startswith("sqlalchemy"):
            return "raw SQL text()"
        if func.id == "bulk_upsert":
            return "write bulk_upsert()"
        return None
    if not isinstance(func, ast.Attribute):
        return None
    owner = func.value
    if func.attr == "transaction":
        return ".transaction()"
    if func.attr == "fetch_scoped":
        return "raw SQL fetch_scoped()"
    if (
        func.attr == "text"
        and isinstance(owner, ast.Name)
        and (owner.id in SQLALCHEMY or imported.get(owner.id, "").startswith("sqlalchemy"))
    ):
        return "raw SQL text()"
    is_class = isinstance(owner, ast.Name) and owner.id[:1].isupper()
    if func.attr == "raw" and is_class:
        return f"raw SQL {owner.id}.raw()"
    if func.attr in WRITES and is_class:
        return f"write {owner.id}.{func.attr}()"
    if func.attr == "save" or (
        func.attr == "remove" and not call.args and not call.keywords
    ):  # a row's save()/remove()
        return f"write .{func.attr}()"
    return None


def findings(source: str) -> list[tuple[int, str, str]]:
    """(line, enclosing function, what) for everything a handler module must leave to a service."""
    tree = ast.parse(source)
    imported = _imported_names(tree)
    found = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Call) and (what := _what_call_does(child, imported)):
                found.append((child.lineno, function, what))
            elif isinstance(child, ast.Constant) and isinstance(child.value, str) and SQL.match(child.value):
                found.append((child.lineno, function, "raw SQL literal"))
            visit(child, inner)

    visit(tree, "<module>")
    return found


def test_handlers_leave_writes_transactions_and_sql_to_services():
    files = handler_modules()
    assert len(files) > 20  # the core's and the bundled plugins' pages are all there to check
    offences, used = [], set()
    for path in files:
        relative = path.relative_to(REPO).as_posix()
        for line, function, what in findings(path.read_text(encoding="utf-8")):
            key = (relative, function, what)
            if key in ALLOWED:
                used.add(key)
            else:
                offences.append(f"{relative}:{line}: {what} in {function}")
    assert not offences, (
        "handlers parse, authorise and render; writes, transactions and raw SQL go in a service "
        "or queries module (docs/architecture.md, 'The request path'):\n" + "\n".join(offences)
    )
    assert set(ALLOWED) <= used, f"allow-list entries that match nothing any more (remove them): {set(ALLOWED) - used}"


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            "from core.db import transaction\nasync def h():\n    async with transaction():\n        pass",
            [(3, "h", "transaction()")],
        ),
        ("async def h(engine):\n    async with engine.transaction():\n        pass", [(2, "h", ".transaction()")]),
        (
            "from core.api.db import fetch_scoped\nasync def h():\n    await fetch_scoped('x')",
            [(3, "h", "raw SQL fetch_scoped()")],
        ),
        ("from core.db.engine import fetch\nasync def h():\n    await fetch('x')", [(3, "h", "raw SQL fetch()")]),
        ("import sqlalchemy as sa\ndef h():\n    return sa.text('x')", [(3, "h", "raw SQL text()")]),
        ("from sqlalchemy import text\ndef h():\n    return text('x')", [(3, "h", "raw SQL text()")]),
        ("async def h():\n    await Notice.raw('x')", [(2, "h", "raw SQL Notice.raw()")]),
        ("Q = 'SELECT id FROM t WHERE tenant = {tenant}'", [(1, "<module>", "raw SQL literal")]),
        ("def h(n):\n    return f'UPDATE t SET a = {n}'", [(2, "h", "raw SQL literal")]),
        ("async def h():\n    await Notice.insert(Notice(title='x'))", [(2, "h", "write Notice.insert()")]),
        (
            "async def h():\n    await Notice.update({Notice.title: 'x'}).where(Notice.id == 1)",
            [(2, "h", "write Notice.update()")],
        ),
        ("async def h():\n    await Notice.delete().where(Notice.id == 1)", [(2, "h", "write Notice.delete()")]),
        (
            "async def h(row):\n    await row.save()\n    await row.remove()",
            [(2, "h", "write .save()"), (3, "h", "write .remove()")],
        ),
        (
            "from core.api.db import bulk_upsert\nasync def h():\n    await bulk_upsert(T, (), [])",
            [(3, "h", "write bulk_upsert()")],
        ),
    ],
)
def test_the_check_sees_each_kind_of_offence(source, expected):
    assert findings(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "async def h(form):\n    return form.raw('password')",  # a form's unstripped value, not SQL
        "async def h():\n    return await Notice.select().where(Notice.published == True)",  # reads for display are allowed
        "async def h():\n    return await Notice.exists().where(Notice.id == 1) or await Notice.count()",
        "def h(data, chosen):\n    data.update({'a': 1})\n    chosen.remove('x')",  # a dict's update, a list's remove
        "N = 'Select a category.'",  # text for people, not SQL
        "from plugins.notices import services\nasync def h(a):\n    await services.delete(a, {})",  # a service does the write
    ],
)
def test_the_check_leaves_reads_and_look_alikes_alone(source):
    assert findings(source) == []
