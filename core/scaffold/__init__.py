"""``hall new-plugin``: write a plugin package that installs, registers through the ``hall`` entry point and tests itself.

The files are Jinja templates under ``files/`` with ``[[ … ]]`` / ``[% … %]``
delimiters, so the ``{{ … }}`` of the generated page templates pass through.
``PACKAGE`` and ``NAME`` in their paths become the package and plugin names.
"""

from __future__ import annotations

import datetime as dt
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

FILES = Path(__file__).parent / "files"
TABLE_ONLY = {
    "PACKAGE/tables.py",
    "PACKAGE/piccolo_app.py",
    "PACKAGE/migrations/__init__.py",
    "PACKAGE/migrations/MIGRATION.py",
}
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
# top-level paths of the core (a plugin's name becomes /<name>/, docs/plugins.md) and names the hall uses itself
RESERVED = frozenset(
    {
        "console",
        "login",
        "logout",
        "signup",
        "reset",
        "account",
        "language",
        "static",
        "brand",
        "healthz",
        "t",
        "core",
        "plugins",
        "hall",
        "tests",
        "pay",
        "api",
    }
)
TITLE_FORBIDDEN = set("\"'\\%<>&{}[]") | {chr(c) for c in range(32)}


class ScaffoldError(ValueError):
    """A name, title or target the scaffold refuses, with the reason."""


@dataclass(frozen=True)
class PluginSpec:
    name: str
    title: str
    title_zh: str
    with_table: bool

    @property
    def package(self) -> str:
        return f"hall_{self.name}"

    @property
    def class_prefix(self) -> str:
        return "".join(part.capitalize() for part in self.name.split("_"))


def check_name(name: str, taken: set[str]) -> None:
    if not NAME_PATTERN.fullmatch(name) or keyword.iskeyword(name) or len(name) > 40:
        raise ScaffoldError(
            f"{name!r} is not a plugin name: use lowercase letters, digits and _, starting with a letter "
            "(it becomes a Python name, the URL /<name>/ and [plugins.<name>])"
        )
    if name in RESERVED:
        raise ScaffoldError(f"{name!r} is taken by the hall itself (its paths and packages): choose another name")
    if name in taken:
        raise ScaffoldError(f"{name!r} is already the name of an installed plugin: choose another name")


def check_title(title: str) -> None:
    bad = sorted(set(title) & TITLE_FORBIDDEN)
    if not title.strip() or bad:
        raise ScaffoldError(
            f"title {title!r}: give a non-empty title without {''.join(bad) or 'these'} "
            "(it goes into Python, TOML, templates and catalogs as is)"
        )


def default_title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def write_plugin(spec: PluginSpec, directory: Path, taken: set[str], now: dt.datetime | None = None) -> Path:
    """Write ``directory/hall-<name>/`` and return it; refuses a bad name or title and an existing folder."""
    check_name(spec.name, taken)
    check_title(spec.title)
    check_title(spec.title_zh)
    target = directory / f"hall-{spec.name}"
    if target.exists():
        raise ScaffoldError(f"{target} already exists: remove it or choose another --dir")
    moment = now or dt.datetime.now(dt.timezone.utc)
    context = {
        "name": spec.name,
        "package": spec.package,
        "title": spec.title,
        "title_zh": spec.title_zh,
        "cls": spec.class_prefix,
        "settings_dep": f"NamedDependency[{spec.class_prefix}Settings]",
        "with_table": spec.with_table,
        "migration_id": moment.strftime("%Y-%m-%dT%H:%M:%S:%f"),
    }
    env = Environment(
        loader=FileSystemLoader(str(FILES)),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
    )
    migration = f"{spec.name}_{moment.strftime('%Y_%m_%dt%H_%M_%S_%f')}"
    for source in sorted(FILES.rglob("*.tmpl")):
        relative = source.relative_to(FILES).as_posix().removesuffix(".tmpl")
        if relative in TABLE_ONLY and not spec.with_table:
            continue
        out = relative.replace("PACKAGE", spec.package).replace("NAME", spec.name).replace("MIGRATION", migration)
        path = target / out
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(env.get_template(source.relative_to(FILES).as_posix()).render(context), encoding="utf-8")
    return target
