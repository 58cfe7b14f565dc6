"""Composite indexes of the SMS tables (SQLite and PostgreSQL alike; see core/db/indexes.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-12-06T05:10:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes of the SMS tables"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [("core_sms_part", ("tenant", "message", "part")), ("core_sms_quota", ("tenant", "scope", "window_start"))],
        plain=[("core_sms_part", ("tenant", "provider_id")), ("core_message", ("tenant", "status", "next_attempt_at"))],
    )
    return manager
