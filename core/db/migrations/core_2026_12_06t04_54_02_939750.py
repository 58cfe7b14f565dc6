"""Indexes of the payment claims: the unique (tenant, item) that makes double payment impossible (core/payments/claims.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.db.indexes import add_unique_indexes

ID = "2026-12-06T04:54:02:939750"
VERSION = "1.38.0"
DESCRIPTION = "payment claims: unique (tenant, item)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    add_unique_indexes(
        manager, [("core_payment_claim", ("tenant", "item"))], plain=[("core_payment_claim", ("tenant", "intent_id"))]
    )
    return manager
