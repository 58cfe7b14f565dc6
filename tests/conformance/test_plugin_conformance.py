"""``check_plugin`` (``hall check-plugin``) over every bundled plugin, and proof that it catches each kind of fault."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.api.testing import check_plugin
from core.cli import cli

REPO = Path(__file__).resolve().parents[2]
BUNDLED = sorted(
    p.name for p in (REPO / "plugins").iterdir() if (p / "__init__.py").is_file() and not p.name.startswith("_")
)


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_plugin_follows_the_rules(name):
    problems = check_plugin(name)
    assert problems == [], f"plugins/{name}:\n" + "\n".join(problems)


def test_the_command_lists_the_problems_and_exits_1():
    done = CliRunner().invoke(cli, ["check-plugin", "no_such_plugin"])
    assert done.exit_code == 1 and "no plugin named 'no_such_plugin'" in done.output


GOOD_INIT = """
from core.api import N_, Manifest, Permission, hookimpl

MANIFEST = Manifest(name="{name}", version="1.0", description="A plugin.",
                    permissions=[Permission("{name}.view", N_("Conformance sample: view"))])


@hookimpl
def register_routes(hall):
    from .routes_customer import HANDLERS

    return HANDLERS
"""
GOOD_ROUTES = """
from litestar import get

PUBLIC = dict(auth="public")


@get("/", name="{name}:page", opt=PUBLIC)
async def page() -> str:
    return "ok"


HANDLERS = [page]
"""
CATALOG = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\nmsgid "Conformance sample: view"\nmsgstr "{text}"\n'


def _write_plugin(root: Path, name: str, files: dict[str, str]) -> object:
    """A plugin package ``name`` under ``root``, from the good sample with ``files`` replaced, added or (None) left out."""
    package = root / name
    sample = {
        "__init__.py": GOOD_INIT.replace("{name}", name),
        "routes_customer.py": GOOD_ROUTES.replace("{name}", name),
        "templates/{name}/page.html": '{{ _("Conformance sample: view") }}',
        "locale/zh_CN/LC_MESSAGES/messages.po": CATALOG.format(text="样例：查看"),
        "locale/en/LC_MESSAGES/messages.po": CATALOG.format(text="Conformance sample: view"),
        **files,
    }
    for relative, text in sample.items():
        if text is None:
            continue
        path = package / relative.replace("{name}", name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(root))


def test_a_plugin_that_follows_the_rules_has_no_problems(tmp_path):
    assert check_plugin(_write_plugin(tmp_path, "conf_good", {}), name="conf_good") == []


def test_an_unregistered_module_needs_its_name(tmp_path):
    module = _write_plugin(tmp_path, "conf_anon", {})
    assert check_plugin(module) == ["conf_anon is not registered: no entry point of the 'hall' group names it"]


@pytest.mark.parametrize(
    "case, files, expected",
    [
        (
            "manifest",
            {"__init__.py": GOOD_INIT.replace('name="{name}"', 'name="other"')},
            "MANIFEST.name is 'other', but the plugin is registered as",
        ),
        ("no_manifest", {"__init__.py": "from core.api import hookimpl\n"}, "no MANIFEST = Manifest(...)"),
        ("imports", {"services.py": "from core.web.forms import Form\n"}, "services.py:1: imports core.web.forms"),
        (
            "hook",
            {"__init__.py": GOOD_INIT + "\n@hookimpl\ndef register_rotes(hall):\n    return []\n"},
            "register_rotes: @hookimpl of 'register_rotes', which is no hook",
        ),
        (
            "unnamed",
            {"routes_customer.py": GOOD_ROUTES.replace('name="{name}:page", ', "")},
            "routes_customer.page: route handler has no name",
        ),
        (
            "prefix",
            {"routes_customer.py": GOOD_ROUTES.replace('"{name}:page"', '"page"')},
            "routes_customer.page: route name 'page' does not start with",
        ),
        ("templates", {"templates/page.html": "<p></p>"}, "templates/page.html: outside templates/"),
        (
            "untranslated",
            {"templates/{name}/other.html": '{{ _("Conformance sample: never translated") }}'},
            "message 'Conformance sample: never translated' has no zh_CN translation",
        ),
        ("no_en", {"locale/en/LC_MESSAGES/messages.po": None}, "locale/en/LC_MESSAGES/messages.po is missing"),
        (
            "permission",
            {"__init__.py": GOOD_INIT.replace('"{name}.view"', '"view"')},
            "permission 'view' does not start with",
        ),
    ],
)
def test_each_fault_is_named(tmp_path, case, files, expected):
    name = f"conf_{case}"
    module = _write_plugin(tmp_path, name, {k: v if v is None else v.replace("{name}", name) for k, v in files.items()})
    problems = check_plugin(module, name=name)
    assert [p for p in problems if expected in p], problems
    assert len(problems) == 1, problems
