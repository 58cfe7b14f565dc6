"""``hall new-plugin``: what it writes, what it refuses; the generated code follows the plugin rules.

The install-and-run-its-tests proof is tests/core/test_new_plugin_install.py.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.api.testing import check_plugin
from core.cli import cli
from core.plugin_rules.imports import forbidden_imports

COMMON = {
    "pyproject.toml",
    "README.md",
    "tests/conftest.py",
    "PKG/__init__.py",
    "PKG/settings.py",
    "PKG/services.py",
    "PKG/routes_customer.py",
    "PKG/routes_console.py",
    "PKG/templates/NAME/page.html",
    "PKG/templates/NAME/console.html",
    "PKG/locale/zh_CN/LC_MESSAGES/messages.po",
    "PKG/locale/en/LC_MESSAGES/messages.po",
    "tests/test_NAME.py",
}
TABLE = {"PKG/tables.py", "PKG/piccolo_app.py", "PKG/migrations/__init__.py"}


def new_plugin(*args: str):
    return CliRunner().invoke(cli, ["new-plugin", *args])


def written(root: Path, name: str) -> set[str]:
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    return {f.replace(f"hall_{name}/", "PKG/").replace(name, "NAME") for f in files}


@pytest.mark.parametrize("with_table", [False, True])
def test_writes_the_package_in_the_file_vocabulary(tmp_path, with_table):
    done = new_plugin("queue_tickets", "--dir", str(tmp_path), *(["--with-table"] if with_table else []))
    assert done.exit_code == 0, done.output
    root = tmp_path / "hall-queue_tickets"
    files = written(root, "queue_tickets")
    migrations = {f for f in files if f.startswith("PKG/migrations/NAME_")}
    assert files - migrations == (COMMON | TABLE if with_table else COMMON)
    assert len(migrations) == (1 if with_table else 0)
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "hall-queue_tickets"' in pyproject and 'queue_tickets = "hall_queue_tickets"' in pyproject
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        compile(source, str(path), "exec")
        assert forbidden_imports(source) == [], path


@pytest.mark.parametrize("with_table", [False, True])
def test_the_generated_plugin_follows_the_rules(tmp_path, with_table):
    new_plugin(
        "rules_sample",
        "--dir",
        str(tmp_path),
        "--title",
        "Rules sample",
        "--title-zh",
        "规则样例",
        *(["--with-table"] if with_table else []),
    )
    root = tmp_path / "hall-rules_sample"
    sys.path.insert(0, str(root))
    try:
        module = importlib.import_module("hall_rules_sample")
        assert check_plugin(module, name="rules_sample") == []
        assert module.MANIFEST.title == "Rules sample"
        assert 'msgstr "规则样例"' in (root / "hall_rules_sample/locale/zh_CN/LC_MESSAGES/messages.po").read_text(
            encoding="utf-8"
        )
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "hall_rules_sample" or m.startswith("hall_rules_sample.")]:
            del sys.modules[name]


@pytest.mark.parametrize(
    "name, reason",
    [
        ("Hours", "is not a plugin name"),
        ("2hours", "is not a plugin name"),
        ("opening-hours", "is not a plugin name"),
        ("class", "is not a plugin name"),
        ("console", "is taken by the hall itself"),
        ("static", "is taken by the hall itself"),
        ("notices", "is already the name of an installed plugin"),
    ],
)
def test_refuses_a_bad_name(tmp_path, name, reason):
    done = new_plugin(name, "--dir", str(tmp_path))
    assert done.exit_code == 2 and reason in done.output
    assert list(tmp_path.iterdir()) == []


def test_refuses_a_title_it_cannot_put_in_code(tmp_path):
    done = new_plugin("hours", "--dir", str(tmp_path), "--title", 'Say "hi"')
    assert done.exit_code == 2 and "title" in done.output


def test_refuses_to_overwrite(tmp_path):
    (tmp_path / "hall-hours").mkdir()
    (tmp_path / "hall-hours" / "mine.txt").write_text("keep me")
    done = new_plugin("hours", "--dir", str(tmp_path))
    assert done.exit_code == 2 and "already exists" in done.output
    assert [p.name for p in (tmp_path / "hall-hours").iterdir()] == ["mine.txt"]
