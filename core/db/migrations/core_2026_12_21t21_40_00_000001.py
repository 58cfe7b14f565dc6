"""The unique (tenant, customer) of core_page_version: the conflict target of its bump."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-12-21T21:40:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "index of core_page_version"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(manager, [("core_page_version", ("tenant", "customer"))])
    return manager
