"""Composite index of the change reconciliation's runs (SQLite and PostgreSQL alike; see core/db/indexes.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-12-06T07:30:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "composite index of the change reconciliation runs"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(manager, [], plain=[("core_change_reconcile_run", ("tenant", "kind", "finished_at"))])
    return manager
