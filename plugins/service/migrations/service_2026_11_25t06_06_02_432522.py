from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-11-25T06:06:02:432522"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="service", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [],
        plain=[
            ("service_page", ("tenant", "kind", "position")),
            ("service_outlet", ("tenant", "district")),
            ("service_submission", ("tenant", "key", "at")),
        ],
    )
    return manager
