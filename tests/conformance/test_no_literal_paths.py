"""No literal app paths outside route declarations and tests: links, redirects and menu items name routes.

Python under core/ and plugins/ (core/testing excepted) and every template are scanned. A literal path in one
of them would keep working until someone moves the route, then break silently; a route name breaks loudly
(``url_for``/``url()`` raise on an unknown name), and tests request every page. Allowed: the path of a route
declaration (``@get("/…")``), ``/static/…`` (the ``static()`` helper's own prefix) and ``/healthz``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE_TOP = ("console", "login", "logout", "signup", "reset", "account", "language", "pay", "brand")
PLUGIN_TOP = tuple(sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists()))
# "/console…", "/billpay/…", or the home page with a query ("/?bill="). Not "/t/<id>": in Python that prefix is the
# tenancy mechanism itself (core/tenancy.py, core/web/urls.py); in templates a link to another tenant is caught below.
APP_PATH = re.compile(r"^/(?:(?:{})(?:[/?#]|$)|\?\w+=|$)".format("|".join(CORE_TOP + PLUGIN_TOP)))
# (file name, literal): paths that are not links, each with its reason
ALLOWED = {
    ("app.py", "/brand/logo"): "a path suffix for which the session lookup is skipped, like .css",
    ("openapi.py", "/console/openapi"): "where Litestar mounts the schema routes: a route declaration",
}
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route", "websocket"}
PATH_TAKERS = {"redirect", "Redirect", "MenuItem", "url", "url_for", "redirect_to"}
TEMPLATE_SUFFIXES = {".html", ".txt", ".xml", ".j2", ".jinja"}
# href="/…", action="/…", src="/…", or a quoted '/…' (a Jinja string) that starts with an app path
TEMPLATE_ATTR = re.compile(r"""\b(?:href|action|src|formaction)\s*=\s*["']/(?!static/|/)""")
TEMPLATE_STRING = re.compile(r"""["'](/(?:{})(?:[/?#]|["'])|/["'])""".format("|".join(CORE_TOP + PLUGIN_TOP + ("t",))))


def python_files() -> list[Path]:
    files = [*(ROOT / "core").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]
    return sorted(
        f for f in files if "core/testing" not in f.relative_to(ROOT).as_posix() and "/migrations/" not in f.as_posix()
    )


def template_files() -> list[Path]:
    roots = [ROOT / "core", ROOT / "plugins", ROOT / "themes", ROOT / "tenants"]
    return sorted(f for r in roots for f in r.rglob("*") if f.suffix in TEMPLATE_SUFFIXES and "templates" in f.parts)


def _name_of(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _leading_text(node: ast.expr) -> str | None:
    """The literal start of a string expression: a constant, an f-string's first part, or the left of a +."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        return _leading_text(node.values[0])
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _leading_text(node.left)
    return None


def _declared_paths(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are route declarations (the first argument of @get(...) and the like)."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        decorators = getattr(node, "decorator_list", [])
        for deco in decorators:
            if isinstance(deco, ast.Call) and _name_of(deco.func) in ROUTE_DECORATORS:
                for arg in [*deco.args[:1], *(k.value for k in deco.keywords if k.arg == "path")]:
                    for sub in ast.walk(arg):
                        allowed.add(id(sub))
    return allowed


def python_offences(source: str, where: str) -> list[str]:
    tree = ast.parse(source, filename=where)
    allowed = _declared_paths(tree)
    found: dict[int, str] = {}
    for node in ast.walk(tree):
        if id(node) in allowed:
            continue
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and APP_PATH.match(node.value)
            and node.value != "/"
        ):
            found.setdefault(node.lineno, node.value)
        elif isinstance(node, ast.Call) and _name_of(node.func) in PATH_TAKERS:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                text = _leading_text(arg)
                if text is not None and APP_PATH.match(text) and id(arg) not in allowed:
                    found.setdefault(node.lineno, text)
    name = Path(where).name
    return [f"{where}:{line}: {text!r}" for line, text in sorted(found.items()) if (name, text) not in ALLOWED]


def template_offences(path: Path) -> list[str]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = TEMPLATE_ATTR.search(line) or TEMPLATE_STRING.search(line)
        if match:
            out.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)!r}")
    return out


def test_scanner_sees_python_and_templates():
    """The scan covers the trees it promises (a wrong root would pass vacuously)."""
    names = {f.relative_to(ROOT).as_posix() for f in python_files()}
    assert "core/web/render.py" in names and "plugins/notices/routes.py" in names
    assert not any(n.startswith("core/testing/") for n in names)
    templates = {f.relative_to(ROOT).as_posix() for f in template_files()}
    assert any(t.endswith("/base.html") and t.startswith("core/") for t in templates)
    assert any(t.startswith("themes/") for t in templates)


def test_scanner_flags_literal_paths():
    """What the rule is about: each kind of literal the scan must catch, and the declarations it must let through."""
    sample = (
        "from litestar import get\n"
        '@get("/console/things")\n'
        'async def things(request): return redirect(request, "/")\n'
        'ITEM = MenuItem("Things", "/console/things")\n'
        'NEXT = f"/login?next={x}"\n'
        'STATIC = "/static/x.css"\n'
    )
    offences = python_offences(sample, "sample.py")
    assert [o.split(":")[1] for o in offences] == ["3", "4", "5"]
    assert TEMPLATE_ATTR.search('<a href="/t/x/console">') and TEMPLATE_STRING.search(
        "{{ url('/console' if a else '/') }}"
    )
    assert not TEMPLATE_ATTR.search('<link href="/static/hall.css">') and not TEMPLATE_STRING.search(
        "{{ url('console:home') }}"
    )


def test_no_literal_app_paths_in_python():
    offences = [
        o for f in python_files() for o in python_offences(f.read_text(encoding="utf-8"), str(f.relative_to(ROOT)))
    ]
    assert not offences, "literal app paths (use url_for / redirect_to / MenuItem(route=...)):\n" + "\n".join(offences)


def test_no_literal_app_paths_in_templates():
    offences = [o for f in template_files() for o in template_offences(f)]
    assert not offences, "literal app paths in templates (use url('<route name>', ...)):\n" + "\n".join(offences)
