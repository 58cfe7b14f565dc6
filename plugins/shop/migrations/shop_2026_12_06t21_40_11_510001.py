"""Product images, stock holds of physical products, and the product's free stock counter (catalog2)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Bytea, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T21:40:11:510001"
VERSION = "1.38.0"
DESCRIPTION = "product images and stock holds"

BASE = {
    "null": False,
    "primary_key": False,
    "unique": False,
    "index": False,
    "index_method": IndexMethod.btree,
    "choices": None,
    "db_column_name": None,
    "secret": False,
}


def _column(manager, class_name: str, tablename: str, name: str, column_class, **params) -> None:
    manager.add_column(
        table_class_name=class_name,
        tablename=tablename,
        column_name=name,
        db_column_name=name,
        column_class_name=column_class.__name__,
        column_class=column_class,
        params={**BASE, **params},
        schema=None,
    )


def _table(manager, class_name: str, tablename: str, columns: list[tuple]) -> None:
    manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
    _column(manager, class_name, tablename, "tenant", Varchar, length=32, default="", index=True)
    _column(manager, class_name, tablename, "id", Serial, primary_key=True, db_column_name="id")
    for name, column_class, params in columns:
        _column(manager, class_name, tablename, name, column_class, **params)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)
    _table(
        manager,
        "StockHold",
        "shop_stock_hold",
        [
            ("order_id", Integer, {"default": 0}),
            ("product_id", Integer, {"default": 0}),
            ("quantity", Integer, {"default": 1}),
            ("state", Varchar, {"length": 12, "default": "held"}),
            ("hold_until", Timestamptz, {"default": None, "null": True}),
            ("created_at", Timestamptz, {"default": TimestamptzNow()}),
        ],
    )
    _table(
        manager,
        "ProductImage",
        "shop_product_image",
        [
            ("product_id", Integer, {"default": 0}),
            ("position", Integer, {"default": 0}),
            ("digest", Varchar, {"length": 64, "default": ""}),
            ("alt_zh", Varchar, {"length": 120, "default": ""}),
            ("alt_en", Varchar, {"length": 120, "default": ""}),
            ("width", Integer, {"default": 0}),
            ("height", Integer, {"default": 0}),
            ("display", Bytea, {"default": b""}),
            ("thumb", Bytea, {"default": b""}),
            ("created_at", Timestamptz, {"default": TimestamptzNow()}),
            ("created_by", Varchar, {"length": 64, "default": ""}),
        ],
    )
    _column(manager, "Product", "shop_product", "stock_free", Integer, default=0)
    return manager
