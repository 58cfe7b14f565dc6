"""Composite indexes of the mailbox table added by the previous migration."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-12-06T14:41:25:561948"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="mailbox", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [("mailbox_mailbox", ("tenant", "address"))],
        plain=[
            ("mailbox_mailbox", ("tenant", "customer_legacy_id")),
            ("mailbox_mailbox", ("tenant", "product_id")),
            ("mailbox_mailbox", ("tenant", "state")),
        ],
    )
    return manager
