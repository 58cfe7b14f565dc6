"""Indexes of the stock holds and images; the free stock of existing physical products, and holds for their paid orders.

A physical order paid before stock holds existed waits to ship without a hold: it gets a ``paid`` hold, and the
product's ``stock_free`` is its stock on hand less those orders (docs/shop.md, the stock invariant).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_data_steps, add_unique_indexes

ID = "2026-12-06T21:40:15:510002"
VERSION = "1.38.0"
DESCRIPTION = "stock hold indexes and free stock"

HOLDS = """
INSERT INTO shop_stock_hold (tenant, order_id, product_id, quantity, state, hold_until, created_at)
SELECT o.tenant, o.id, o.product_id, 1, 'paid', NULL, o.created_at FROM shop_order o
WHERE o.kind = 'physical' AND o.state = 'paid'
"""
FREE = """
UPDATE shop_product SET stock_free =
  (SELECT COALESCE(SUM(s.quantity), 0) FROM shop_stock s WHERE s.tenant = shop_product.tenant AND s.product_id = shop_product.id)
  - (SELECT COUNT(*) FROM shop_stock_hold h WHERE h.tenant = shop_product.tenant AND h.product_id = shop_product.id AND h.state = 'paid')
WHERE delivery = 'physical'
"""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [("shop_stock_hold", ("tenant", "order_id"))],
        plain=[
            ("shop_stock_hold", ("tenant", "product_id", "state")),
            ("shop_product_image", ("tenant", "product_id", "position")),
        ],
    )
    add_data_steps(manager, [HOLDS, FREE])
    return manager
