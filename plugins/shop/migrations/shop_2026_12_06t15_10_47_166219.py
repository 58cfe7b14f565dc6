"""Composite indexes of the cart lines, and orders by checkout."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-12-06T15:10:47:166219"
VERSION = "1.38.0"
DESCRIPTION = "cart indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [("shop_cart_line", ("tenant", "owner", "product_id"))],
        plain=[("shop_order", ("tenant", "checkout"))],
    )
    return manager
