"""Indexes of the accounts migration (a migration of its own: Piccolo runs raw steps before add_table)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-12-06T12:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "indexes of billing accounts, balances, and the account columns"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [("core_billing_account", ("tenant", "legacy_id")), ("core_balance", ("tenant", "account_legacy_id"))],
        plain=[
            ("core_billing_account", ("tenant", "customer_legacy_id")),
            ("core_service_number", ("tenant", "account_legacy_id")),
            ("core_bill", ("tenant", "account_legacy_id", "month")),
        ],
    )
    return manager
