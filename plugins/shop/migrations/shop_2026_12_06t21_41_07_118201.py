"""After-sales requests (退货, 换货, 挂失): the shop_aftersale table (plugins/shop/aftersales_tables.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T21:41:07:118201"
VERSION = "1.38.0"
DESCRIPTION = "after-sales requests"

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
COLUMNS = [
    ("tenant", Varchar, {"length": 32, "default": "", "index": True}),
    ("id", Serial, {"primary_key": True, "db_column_name": "id"}),
    ("order_id", Integer, {"default": 0}),
    ("open_order", Integer, {"default": None, "null": True}),
    ("customer_id", Varchar, {"length": 64, "default": ""}),
    ("kind", Varchar, {"length": 16, "default": ""}),
    ("reason", Varchar, {"length": 500, "default": ""}),
    ("state", Varchar, {"length": 16, "default": "open"}),
    ("workorder_id", Integer, {"default": None, "null": True}),
    ("number", Varchar, {"length": 32, "default": ""}),
    ("note", Varchar, {"length": 500, "default": ""}),
    ("refund_fen", BigInt, {"default": 0}),
    ("refund_id", Varchar, {"length": 32, "default": ""}),
    ("refund_state", Varchar, {"length": 12, "default": ""}),
    ("new_card_id", Integer, {"default": None, "null": True}),
    ("carrier", Varchar, {"length": 16, "default": ""}),
    ("tracking", Varchar, {"length": 32, "default": ""}),
    ("location", Varchar, {"length": 16, "default": ""}),
    ("decided_by", Varchar, {"length": 64, "default": ""}),
    ("created_at", Timestamptz, {"default": TimestamptzNow()}),
    ("decided_at", Timestamptz, {"default": None, "null": True}),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="shop", description=DESCRIPTION)
    manager.add_table(class_name="AfterSale", tablename="shop_aftersale", schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="AfterSale",
            tablename="shop_aftersale",
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params={**BASE, **params},
            schema=None,
        )
    return manager
