"""Composite unique index of the reconciliation scratch table (SQLite and PostgreSQL alike; see core/db/indexes.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-11-25T05:55:58:767719"
VERSION = "1.38.0"
DESCRIPTION = "unique index of the reconciliation scratch table"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(manager, [("core_reconcile_seen", ("tenant", "kind", "legacy_id"))])
    return manager
