from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-11-25T08:38:18:761214"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="bills", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [],
        plain=[
            ("bills_call_access", ("tenant", "account", "at")),
            ("bills_call_access", ("tenant", "number", "at")),
            ("bills_step_up", ("tenant", "session_id", "verified_at")),
        ],
    )
    return manager
