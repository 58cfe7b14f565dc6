"""Throttle events: the (tenant, key, at) index every throttle check counts through (core/auth/throttle.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-12-06T05:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "throttle events: (tenant, key, at) index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(manager, [], plain=[("core_throttle_event", ("tenant", "key", "at"))])
    return manager
