"""Composite indexes of the warehouse: one stock row per product and location, locations by code, movements by product."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-12-06T18:24:57:392258"
VERSION = "1.38.0"
DESCRIPTION = "warehouse indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [("shop_location", ("tenant", "code")), ("shop_stock", ("tenant", "product_id", "location_id"))],
        plain=[("shop_movement", ("tenant", "product_id", "at"))],
    )
    return manager
