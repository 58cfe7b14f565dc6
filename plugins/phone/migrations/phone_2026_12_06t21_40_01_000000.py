"""The externalId's unique index (one request per customer and externalId) and the customer's list index; in their
own migration, after the column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-12-06T21:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "service order externalId index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="phone", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [("phone_feature_request", ("tenant", "account_id", "external_id"))],
        plain=[("phone_feature_request", ("tenant", "account_id"))],
    )
    return manager
