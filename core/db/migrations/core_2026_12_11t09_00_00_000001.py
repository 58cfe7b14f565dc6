"""Indexes of core_balance_credit: one row per payment intent, looked up per account."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-12-11T09:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "indexes of core_balance_credit"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [("core_balance_credit", ("tenant", "intent_id"))],
        plain=[("core_balance_credit", ("tenant", "account_legacy_id"))],
    )
    return manager
