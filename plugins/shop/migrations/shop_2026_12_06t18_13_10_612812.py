"""Composite indexes of deliveries: one per order, found by its order."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-12-06T18:13:10:612812"
VERSION = "1.38.0"
DESCRIPTION = "delivery indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)
    add_unique_indexes(manager, [("shop_delivery", ("tenant", "order_id"))])
    return manager
