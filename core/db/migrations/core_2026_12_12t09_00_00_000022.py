"""The unique (tenant, kind) of the hub's watermarks: the conflict target of their first insert."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-12-12T09:00:00:000022"
VERSION = "1.38.0"
DESCRIPTION = "index of core_api_watermark"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(manager, [("core_api_watermark", ("tenant", "kind"))])
    return manager
