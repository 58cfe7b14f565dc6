"""A delivery merged into another order's shipment."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T18:56:56:470829"
VERSION = "1.38.0"
DESCRIPTION = "merged deliveries"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Delivery",
        tablename="shop_delivery",
        column_name="merged_into",
        db_column_name="merged_into",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
