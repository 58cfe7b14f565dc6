"""The unique index of an address's slots (holds per installation address); in its own migration, after the column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-12-06T18:23:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "address slot index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="phone", description=DESCRIPTION)
    add_unique_indexes(manager, [("phone_number_hold", ("tenant", "live_address"))])
    return manager
