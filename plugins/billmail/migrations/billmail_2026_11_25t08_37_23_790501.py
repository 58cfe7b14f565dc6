from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-11-25T08:37:23:790501"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="billmail", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("billmail_subscription", ("tenant", "number")),
            ("billmail_batch", ("tenant", "month")),
            ("billmail_send", ("tenant", "batch", "subscription")),
        ],
        plain=[
            ("billmail_subscription", ("tenant", "account_id")),
            ("billmail_send", ("tenant", "batch", "state", "id")),
            ("billmail_send", ("tenant", "number")),
        ],
    )
    return manager
