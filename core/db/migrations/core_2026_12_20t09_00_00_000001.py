"""Indexes of core_payment_agreement: its public id is unique; looked up per account and state, and per customer."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-12-20T09:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "indexes of core_payment_agreement"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [("core_payment_agreement", ("tenant", "public_id"))],
        plain=[
            ("core_payment_agreement", ("tenant", "account_legacy_id", "state")),
            ("core_payment_agreement", ("tenant", "customer_id")),
        ],
    )
    return manager
