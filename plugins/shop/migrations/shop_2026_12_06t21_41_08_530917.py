"""Indexes of after-sales requests: one open request per order (NULL once decided), found by order and work order."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.api.db import add_unique_indexes

ID = "2026-12-06T21:41:08:530917"
VERSION = "1.38.0"
DESCRIPTION = "after-sales indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)
    add_unique_indexes(
        manager,
        [("shop_aftersale", ("tenant", "open_order"))],
        plain=[
            ("shop_aftersale", ("tenant", "order_id")),
            ("shop_aftersale", ("tenant", "workorder_id")),
            ("shop_aftersale", ("tenant", "state")),
        ],
    )
    return manager
