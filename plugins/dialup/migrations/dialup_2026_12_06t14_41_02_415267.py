"""The composite indexes of the dial-up tables: one user name per tenant, one renewal per payment."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-12-06T14:41:02:415267"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dialup", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("dialup_account", ("tenant", "username")),
            ("dialup_renewal", ("tenant", "intent_id")),
        ],
        plain=[
            ("dialup_account", ("tenant", "customer_legacy_id")),
            ("dialup_account", ("tenant", "product_id")),
            ("dialup_renewal", ("tenant", "account_id")),
        ],
    )
    return manager
