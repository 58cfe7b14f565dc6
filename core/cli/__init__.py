"""The ``hall`` command. Sub-commands live in small modules; plugins add theirs via ``register_commands``."""

from __future__ import annotations

import sys

import click

from core.cli.base import cli
from core.cli import admin, demo, inspect_cmds, serve  # noqa: F401  (register sub-commands)
from core.cli import sync_cmd  # noqa: F401  (hall sync: bills and call records)
from core.cli import legacy_demo  # noqa: F401  (hall legacy-demo: a demo legacy database to a file)
from core.cli import backup_cmd  # noqa: F401  (hall backup, hall restore)
from core.cli import plugin_cmds  # noqa: F401  (hall new-plugin, hall check-plugin)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    _add_plugin_commands(args)
    cli.main(args=args, prog_name="hall")


def _add_plugin_commands(args: list[str]) -> None:
    """Plugins' commands need a loaded hall; a broken config must not hide `hall check` itself."""
    if args and args[0] in cli.commands:
        return
    config = None
    for i, arg in enumerate(args):  # honour --config before click has parsed it
        if arg == "--config" and i + 1 < len(args):
            config = args[i + 1]
        elif arg.startswith("--config="):
            config = arg.split("=", 1)[1]
    try:
        from core.hall import Hall

        hall = Hall.from_config(config, connect_tenants=False)
    except Exception:
        return
    hall.plugins.hook.register_commands(hall=hall, cli=cli)


__all__ = ["cli", "main", "click"]
