"""Composite indexes of the shop tables added by the previous migration."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-12-06T14:40:29:127309"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [
            ("shop_product", ("tenant", "code")),
            ("shop_batch", ("tenant", "code")),
            ("shop_card", ("tenant", "serial")),
            ("shop_order", ("tenant", "number")),
            ("shop_redemption", ("tenant", "card_id")),
        ],
        plain=[
            ("shop_category", ("tenant", "parent_id")),
            ("shop_product", ("tenant", "category_id")),
            ("shop_card", ("tenant", "product_id", "state")),
            ("shop_card", ("tenant", "batch_id", "state")),
            ("shop_card", ("tenant", "order_id")),
            ("shop_order", ("tenant", "customer_id", "created_at")),
            ("shop_order", ("tenant", "state")),
            ("shop_redemption", ("tenant", "number", "at")),
            ("shop_pin_access", ("tenant", "order_id")),
            ("shop_alert", ("tenant", "kind", "subject")),
            ("shop_alert", ("tenant", "at")),
        ],
    )
    return manager
