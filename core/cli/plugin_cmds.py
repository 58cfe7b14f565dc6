"""hall new-plugin (write a plugin package) and hall check-plugin (does a plugin follow docs/plugins.md?)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import pkgutil
from pathlib import Path

import click

from core.cli.base import cli


def installed_plugin_names() -> set[str]:
    """The bundled plugins' names and the installed entry points' (no hall is loaded: a broken config does not matter)."""
    names = {ep.name for ep in importlib.metadata.entry_points(group="hall")}
    spec = importlib.util.find_spec("plugins")
    if spec is not None and spec.submodule_search_locations:
        names |= {m.name for m in pkgutil.iter_modules(spec.submodule_search_locations) if m.ispkg}
    return names


@cli.command(
    "new-plugin",
    help="Write a plugin package hall-NAME/ (pyproject.toml with the 'hall' entry point, code, "
    "templates, catalogs, tests) to install with `pip install -e`.",
)
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder to write hall-NAME/ in.",
)
@click.option("--title", default=None, help="Display name in English, the message id (default: from NAME).")
@click.option("--title-zh", default=None, help="Its Chinese translation (default: the title, to translate later).")
@click.option(
    "--with-table",
    is_flag=True,
    help="Add a tenant table, its Piccolo app and first migration, and a form that fills it.",
)
def new_plugin(name: str, directory: Path, title: str | None, title_zh: str | None, with_table: bool) -> None:
    from core.scaffold import PluginSpec, ScaffoldError, default_title, write_plugin

    title = title if title is not None else default_title(name)
    spec = PluginSpec(
        name=name, title=title, title_zh=title_zh if title_zh is not None else title, with_table=with_table
    )
    try:
        target = write_plugin(spec, directory, installed_plugin_names())
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"Wrote {target}")
    click.echo(
        f"Next: .venv/bin/pip install -e {target}, then `hall check-plugin {name}` and `python -m pytest {target / 'tests'}`."
    )


@cli.command(
    "check-plugin",
    help="Check a plugin (bundled or installed) against the rules of docs/plugins.md; exit 1 listing the problems.",
)
@click.argument("name")
def check_plugin_command(name: str) -> None:
    from core.plugin_rules.check import check_plugin

    problems = check_plugin(name)
    if problems:
        click.secho(f"{name}: {len(problems)} problem{'s' if len(problems) != 1 else ''}:", fg="red", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1)
    click.secho(f"{name}: follows the plugin rules.", fg="green")
