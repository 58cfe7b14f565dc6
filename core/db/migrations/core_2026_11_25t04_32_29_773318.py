"""Composite indexes of the legacy outbox (SQLite and PostgreSQL alike; see core/db/indexes.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-11-25T04:32:29:773318"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes of the legacy outbox"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [("core_outbox_event", ("tenant", "event_id"))],
        plain=[("core_outbox_event", ("tenant", "status", "next_attempt_at"))],
    )
    return manager
