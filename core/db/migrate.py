"""Per-app migrations: the core's first, then each plugin's (Piccolo apps)."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from piccolo.conf.apps import AppRegistry

from core.db import apps, piccolo_conf


def app_modules(hall) -> list[str]:
    """Dotted paths of the Piccolo app modules: core first, then every plugin that has tables."""
    return apps.app_modules(hall.plugins, hall)


async def migrate(hall, quiet: bool = True) -> list[tuple[str, str]]:
    """Run every pending migration of every app; returns (app, message) pairs."""
    modules = app_modules(hall)
    piccolo_conf.APP_REGISTRY = AppRegistry(apps=modules)
    hall.db.bind()
    results = []
    for config in piccolo_conf.APP_REGISTRY.app_configs.values():
        out = io.StringIO()
        with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
            result = await ForwardsMigrationManager(app_name=config.app_name).run()
        if not result.success:
            raise RuntimeError(f"migrations of {config.app_name} failed: {result.message}\n{out.getvalue()}")
        results.append((config.app_name, result.message))
    if not hall.db.is_sqlite:
        from core.jobs.runner import ProcrastinateRunner

        applied = await ProcrastinateRunner(hall).ensure_schema()
        results.append(("procrastinate", "schema applied" if applied else "schema present"))
    return results


async def pending_migrations(hall) -> list[str]:
    """``app:migration_id`` of every migration not yet applied (for ``hall check``)."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.apps.migrations.tables import Migration

    piccolo_conf.APP_REGISTRY = AppRegistry(apps=app_modules(hall))
    hall.db.bind()
    Migration._meta.db = hall.db.engine
    manager = BaseMigrationManager()
    if not await Migration.table_exists():
        return ["(no migrations table)"]
    pending = []
    for config in piccolo_conf.APP_REGISTRY.app_configs.values():
        ran = set(await Migration.get_migrations_which_ran(app_name=config.app_name))
        ids = manager.get_migration_ids(manager.get_migration_modules(config.resolved_migrations_folder_path))
        pending += [f"{config.app_name}:{i}" for i in ids if i not in ran]
    return pending
